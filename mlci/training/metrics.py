"""Which scikit-learn scorer computes each metric a declarative or entrypoint model lists, and
which way is better.

Scorers always return "greater is better" values: losses come as `neg_*` scorers with negative
values. Users think of losses as positive numbers to minimise, so a name `X` for which `neg_X` is
a scorer (`mean_absolute_error`, `log_loss`) is accepted and reported positive with goal
`minimize`; every name that is itself a scorer (`neg_*` included) is reported as the scorer gives
it, with goal `maximize`.

Names are also understood as people write them elsewhere, and reported as written: in any case
(`Accuracy`), by a short name (`rmse`, `mae`, `auc`: see `mlci.config.metric_names`), or by the name of
scikit-learn's function (`accuracy_score`, `roc_auc_score`). A name that is a scorer means that
scorer: `f1` is scikit-learn's binary F1, as in `cross_val_score(..., scoring="f1")`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mlci.config import Config, ModelSpec
from mlci.config.fields import ConfigField, model_field
from mlci.config.metric_names import ALIASES, expand_alias
from mlci.config.records import record
from mlci.config.schema import Goal

NEGATED_PREFIX = "neg_"
# Where scikit-learn defines its metric functions, which tells which task a scorer is for.
CLASSIFICATION_MODULES = ("sklearn.metrics._classification", "sklearn.metrics._ranking")
REGRESSION_MODULES = ("sklearn.metrics._regression",)


@record
class ResolvedMetric:
    """A configured metric and how to compute it."""

    name: str
    scorer_name: str
    goal: Goal
    negate: bool
    index: int

    def scorer(self) -> Any:
        from sklearn.metrics import get_scorer

        return get_scorer(self.scorer_name)


@cache
def scorer_names() -> frozenset[str]:
    from sklearn.metrics import get_scorer_names

    return frozenset(get_scorer_names())


def metric_names() -> list[str]:
    """Every name a declarative model may list, in the spelling shown in suggestions: the scorers,
    the positive names of `neg_*` ones, and the short names."""
    names = scorer_names()
    positive = {name[len(NEGATED_PREFIX) :] for name in names if name.startswith(NEGATED_PREFIX)}
    return sorted(names | positive | set(ALIASES))


def scorer_for(name: str) -> tuple[str, bool] | None:
    """The scorer computing the metric called `name`, and whether its value is negated to report a
    loss as a positive number; None when no scorer goes by that name in any accepted spelling."""
    names = scorer_names()
    lowered = _plain(name)
    for candidate in (name, lowered, expand_alias(lowered), expand_alias(lowered.removesuffix("_score"))):
        if candidate in names:
            return candidate, False
        if NEGATED_PREFIX + candidate in names:
            return NEGATED_PREFIX + candidate, True
    return None


def _plain(name: str) -> str:
    """`ROC-AUC` -> `roc_auc`: how scikit-learn would spell the name."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def resolve_metric(config: Config, model: ModelSpec, index: int) -> ResolvedMetric:
    """The scorer behind `models.<name>.metrics[index]`; `ConfigError` at that line for an unknown
    name (with close matches) or a goal that contradicts the scorer."""
    spec = model.metrics[index]
    field = model_field(config, model.name, "metrics", index)
    found = scorer_for(spec.name)
    if found is None:
        import difflib  # only for a name scikit-learn does not know

        close = difflib.get_close_matches(_plain(spec.name), metric_names(), n=3)
        guess = f" (did you mean {' or '.join(close)}?)" if close else ""
        short = ", ".join(name for name in ALIASES if "_" not in name)
        raise field.error(
            f"unknown metric {spec.name!r}{guess}",
            hint="Use a scikit-learn scorer name (sklearn.metrics.get_scorer_names()); a loss by its "
            f"name without `neg_` (mean_absolute_error) to report it as a positive number; or a short "
            f"name: {short}.",
        )
    scorer_name, negate = found
    goal: Goal = "minimize" if negate else "maximize"
    if spec.goal is not None and spec.goal != goal:
        better = "lower" if goal == "minimize" else "higher"
        raise field.error(
            f"goal {spec.goal} contradicts scikit-learn: for {spec.name}, {better} is better",
            hint="Remove `goal:`; mlci knows the direction of every scorer.",
        )
    return ResolvedMetric(name=spec.name, scorer_name=scorer_name, goal=goal, negate=negate, index=index)


def resolve_metrics(config: Config, model: ModelSpec) -> list[ResolvedMetric]:
    """Every metric of `model`, resolved; stops at the first problem."""
    return [resolve_metric(config, model, index) for index in range(len(model.metrics))]


def check_metric_fits(config: Config, model: ModelSpec, metric: ResolvedMetric, estimator: Any) -> None:
    """`ConfigError` at the metric when it cannot apply to `estimator`: a classification metric for a
    regressor or the reverse, or one that needs `predict_proba` or `decision_function` the estimator
    lacks. Checked before fitting, so a wrong metric costs no training time."""
    from sklearn.base import is_classifier

    field = metric_field(config, model, metric)
    classification = is_classifier(estimator)
    scorer = metric.scorer()
    module = getattr(getattr(scorer, "_score_func", None), "__module__", "") or ""
    kind = type(estimator).__name__
    if not classification and module.startswith(CLASSIFICATION_MODULES):
        raise field.error(
            f"{metric.name} is a classification metric, but {kind} is a regressor",
            hint="Use regression metrics such as r2, mean_absolute_error or root_mean_squared_error.",
        )
    if classification and module.startswith(REGRESSION_MODULES):
        raise field.error(
            f"{metric.name} is a regression metric, but {kind} is a classifier",
            hint="Use classification metrics such as accuracy, f1_macro, roc_auc or log_loss.",
        )
    # `_response_method` is how a scorer says which prediction it needs; it has no public spelling.
    needed = getattr(scorer, "_response_method", "predict")
    options = [needed] if isinstance(needed, str) else list(needed)
    if classification and not any(callable(getattr(estimator, option, None)) for option in options):
        wanted = " or ".join(options)
        raise field.error(
            f"{metric.name} needs {wanted}, which {kind} does not have", hint=_probability_hint(estimator)
        )


def metric_field(config: Config, model: ModelSpec, metric: ResolvedMetric) -> ConfigField:
    return model_field(config, model.name, "metrics", metric.index)


def _probability_hint(estimator: Any) -> str:
    params: dict[str, Any] = getattr(estimator, "get_params", lambda **_: {})(deep=False)
    if "probability" in params:
        return "Set `probability: true` in its params, or choose a metric computed from labels, such as accuracy."
    return "Choose a metric computed from labels (accuracy, f1_macro) or an estimator with predict_proba."
