"""Classification metrics resampled as counts, not rows.

Accuracy, macro F1, macro precision, macro recall and balanced accuracy depend on a resample only
through how many of its rows fall in each (truth, base prediction, head prediction) category. Drawing
n rows with replacement puts a Multinomial(n, share of each category) number of rows in each, so
drawing those counts directly is the same bootstrap, distribution for distribution, at a cost that
depends on the number of categories (a handful) instead of the number of rows. Only the random
stream differs from drawing rows: on the same seed the interval ends agree to within the bootstrap's
own Monte Carlo error (see the tests), not to the bit.

Each metric is computed from per-class counts exactly as scikit-learn computes it, averaging over
the labels present in that resample's truth or predictions (balanced accuracy: in its truth).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from mlci.config.schema import NoiseSpec

if TYPE_CHECKING:
    import numpy as np

COUNTED = ("accuracy", "f1_macro", "precision_macro", "recall_macro", "balanced_accuracy")
BLOCK_CELLS = 4_000_000  # category counts drawn per block: bounds memory whatever the number of classes


def counted_changes(
    scorer: str, y_true: np.ndarray, base_pred: np.ndarray, head_pred: np.ndarray, settings: NoiseSpec
) -> np.ndarray:
    """The change of `scorer` (one of `COUNTED`), head minus base, on each of `settings.resamples`
    seeded resamples of the rows."""
    import numpy as np

    category, change = categories(scorer, y_true, base_pred, head_pred)
    counts = np.bincount(category)
    return np.concatenate([change(block) for block in drawn_counts(counts, settings)])


def counted_values(scorer: str, y_true: np.ndarray, predicted: np.ndarray, settings: NoiseSpec) -> np.ndarray:
    """The value of `scorer` (one of `COUNTED`) for one model's predictions on each of
    `settings.resamples` seeded resamples of the rows: the one-sample form of `counted_changes`."""
    import numpy as np

    labels, codes = np.unique(np.concatenate([y_true, predicted]), return_inverse=True)
    classes = len(labels)
    truth, pred = codes.reshape(2, -1).astype(np.int64)
    cells, category = np.unique(truth * classes + pred, return_inverse=True)
    cell_truth, cell_pred = cells // classes, cells % classes
    right = cell_pred == cell_truth
    metric = FROM_COUNTS[scorer]

    def values(block: np.ndarray) -> np.ndarray:
        true_n, pred_n = class_sums(block, cell_truth, classes), class_sums(block, cell_pred, classes)
        return metric(class_sums(block[:, right], cell_truth[right], classes), true_n, pred_n)

    counts = np.bincount(category.reshape(-1))
    return np.concatenate([values(block) for block in drawn_counts(counts, settings)])


def categories(
    scorer: str, y_true: np.ndarray, base_pred: np.ndarray, head_pred: np.ndarray
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The category of each row (a number from 0), and the change of `scorer` as a function of a
    block of resamples given as counts of rows per category (a row of counts per resample)."""
    import numpy as np

    rows = len(y_true)
    if scorer == "accuracy":
        # Two categories per side are all accuracy needs: right or wrong.
        right = (base_pred == y_true).astype(np.int64) * 2 + (head_pred == y_true)
        gain = np.array([0, 1, -1, 0])  # +1 where only head is right, -1 where only base is
        return right, lambda block: block @ gain[: block.shape[1]] / rows
    labels, codes = np.unique(np.concatenate([y_true, base_pred, head_pred]), return_inverse=True)
    classes = len(labels)
    truth, base, head = codes.reshape(3, -1).astype(np.int64)
    cells, category = np.unique((truth * classes + base) * classes + head, return_inverse=True)
    cell_truth, cell_base, cell_head = cells // (classes * classes), cells // classes % classes, cells % classes
    metric = FROM_COUNTS[scorer]

    def side(block: np.ndarray, cell_pred: np.ndarray, true_n: np.ndarray) -> np.ndarray:
        right = cell_pred == cell_truth
        return metric(
            class_sums(block[:, right], cell_truth[right], classes), true_n, class_sums(block, cell_pred, classes)
        )

    def change(block: np.ndarray) -> np.ndarray:
        true_n = class_sums(block, cell_truth, classes)
        return side(block, cell_head, true_n) - side(block, cell_base, true_n)

    return category.reshape(-1), change


def drawn_counts(counts: np.ndarray, settings: NoiseSpec) -> Iterator[np.ndarray]:
    """Blocks of resamples, each a row of how many of the `counts.sum()` drawn rows fall in each
    category (a multinomial draw with the categories' shares), seeded."""
    import numpy as np

    generator = np.random.default_rng(settings.seed)
    rows = int(counts.sum())
    shares = counts / rows
    per_block = max(1, BLOCK_CELLS // max(len(counts), 1))
    remaining = settings.resamples
    while remaining > 0:
        size = min(per_block, remaining)
        remaining -= size
        yield generator.multinomial(rows, shares, size=size)


def class_sums(block: np.ndarray, cell_class: np.ndarray, classes: int) -> np.ndarray:
    """Per resample (row of `block`), the counts of the cells summed by the class each belongs to."""
    import numpy as np

    sums = np.zeros((len(block), classes))
    if block.shape[1] == 0:
        return sums
    order = np.argsort(cell_class, kind="stable")
    ordered = cell_class[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sums[:, ordered[starts]] = np.add.reduceat(block[:, order], starts, axis=1)
    return sums


def accuracy(tp: np.ndarray, true_n: np.ndarray, pred_n: np.ndarray) -> np.ndarray:
    return tp.sum(axis=1) / true_n.sum(axis=1)


def f1_macro(tp: np.ndarray, true_n: np.ndarray, pred_n: np.ndarray) -> np.ndarray:
    # 2·TP / (2·TP + FP + FN), and FP + FN + 2·TP is the class's true plus predicted rows.
    return _macro(_ratio(2 * tp, true_n + pred_n), true_n + pred_n > 0)


def precision_macro(tp: np.ndarray, true_n: np.ndarray, pred_n: np.ndarray) -> np.ndarray:
    return _macro(_ratio(tp, pred_n), true_n + pred_n > 0)


def recall_macro(tp: np.ndarray, true_n: np.ndarray, pred_n: np.ndarray) -> np.ndarray:
    return _macro(_ratio(tp, true_n), true_n + pred_n > 0)


def balanced_accuracy(tp: np.ndarray, true_n: np.ndarray, pred_n: np.ndarray) -> np.ndarray:
    # scikit-learn leaves out the classes only predicted, never true, in that resample.
    return _macro(_ratio(tp, true_n), true_n > 0)


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top / bottom, and 0 where bottom is 0 (scikit-learn's `zero_division` default)."""
    import numpy as np

    return np.divide(top, bottom, out=np.zeros_like(top, dtype=float), where=bottom > 0)


def _macro(per_class: np.ndarray, present: np.ndarray) -> np.ndarray:
    return (per_class * present).sum(axis=1) / present.sum(axis=1)


FROM_COUNTS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "accuracy": accuracy,
    "f1_macro": f1_macro,
    "precision_macro": precision_macro,
    "recall_macro": recall_macro,
    "balanced_accuracy": balanced_accuracy,
}
