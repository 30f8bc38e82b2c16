"""The bootstrap for a whole comparison: pair each model's head and base predictions, then find the
confidence interval of every metric that can be computed from them (in `mlci.compare.resampling`,
loaded only when both sides kept predictions and the result cache lacks the answer).

Predictions pair only when both runs scored the same test rows (the same `y_true`, in the same
order); otherwise the change is not comparable row by row and the report says the noise is unknown.
The common metrics are computed with numpy alone, so `mlci compare` stays light; any other
scikit-learn metric of a declarative model goes through scikit-learn's scorer. A command model's
metric is computed when its `kind:` or its name says which common metric it is; for every metric
left without an interval, the reason is kept so the report can say it.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from mlci.compare.bootstrap import ModelNoise
from mlci.compare.cache import ResultCache
from mlci.compare.decode import decode_as
from mlci.config import Config, ModelSpec
from mlci.config.schema import NoiseSpec
from mlci.console import Console
from mlci.errors import DataError
from mlci.runs import Run, run_file, runs_dir
from mlci.runs.fingerprint import fingerprint_bytes

CACHE_KIND = "bootstrap"


def head_predictions(config: Config, run: Run) -> bytes | None:
    folder = runs_dir(config.work_dir) / run.model
    name = run.files.get("predictions")
    if name is None or not os.path.lexists(folder / name):
        return None
    return run_file(folder, run, "predictions").read_bytes()


def paired_noise(
    config: Config,
    model: ModelSpec,
    head_run: Run,
    base_run: Run,
    predictions: tuple[bytes | None, bytes | None],
    settings: NoiseSpec,
    *,
    console: Console,
    cache: ResultCache | None = None,
    names: tuple[str, str] = ("this run", "the base run"),
) -> ModelNoise:
    """The intervals of every metric both runs have, from their `predictions` (head's, base's);
    found in `cache` when these predictions were bootstrapped with these settings before. `names`
    are how a reason names the head and the base."""
    head_bytes, base_bytes = predictions
    if head_bytes is None or base_bytes is None:
        side = names[0] if head_bytes is None else names[1]
        return ModelNoise({}, unknown_reason=f"{side} kept no test-set predictions (see the predictions file format)")
    cache = cache or ResultCache(None)
    key = {
        "head": fingerprint_bytes(head_bytes),
        "base": fingerprint_bytes(base_bytes),
        "metrics": [
            [name, head_run.goals.get(name), model.metric_kind(name)]
            for name in head_run.metrics
            if name in base_run.metrics
        ],
        "model": [model.mode, head_run.task, base_run.task],
        "settings": [settings.resamples, settings.confidence, settings.seed],
    }
    # What these two files gave is kept, test rows that do not pair included: nothing to read again.
    cached = _cached(cache.get(CACHE_KIND, key))
    if cached is not None:
        return cached
    # Reading predictions and resampling them loads pyarrow, numpy and the metrics: only here.
    from mlci.compare.resampling import bootstrap_pair

    found = bootstrap_pair(config, model, (head_run, head_bytes), (base_run, base_bytes), settings, console)
    cache.put(CACHE_KIND, key, asdict(found))
    return found


def _cached(value: Any) -> ModelNoise | None:
    """What the cache holds, when it has the shape `paired_noise` keeps it in."""
    try:
        return decode_as(value, ModelNoise, where="cached intervals")
    except DataError:
        return None
