"""The base's side of one model's comparison: its recorded run, re-scored on this run's test inputs
when they differ from the base's, and the bootstrap that pairs the two runs' predictions row by row."""

from __future__ import annotations

from dataclasses import replace

from mlci.compare.bootstrap import ModelNoise
from mlci.compare.cache import ResultCache
from mlci.compare.inputs import TestInputs, inputs_difference
from mlci.compare.noise import paired_noise
from mlci.compare.result import Rescore
from mlci.config import Config, ModelSpec
from mlci.config.records import record
from mlci.console import Console
from mlci.runs import Run
from mlci.store.records import Record
from mlci.store.storage import StorageView


@record
class BaseSide:
    """The base run to compare with (its metrics re-scored when that worked), the bootstrap's
    intervals (None when the bootstrap is turned off), and what re-scoring found (None when the test
    inputs are the same)."""

    run: Run
    noise: ModelNoise | None
    rescore: Rescore | None


def base_side(
    config: Config,
    model: ModelSpec,
    head_run: Run,
    base_run: Run,
    record: Record,
    storage: StorageView,
    *,
    head_bytes: bytes | None,
    console: Console,
    cache: ResultCache,
    names: tuple[str, str] = ("this run", "the base run"),
) -> BaseSide:
    """What `head_run` of `model` (whose predictions file holds `head_bytes`) is compared with, from
    the base's `record` in `storage`; `names` are how the reasons name the two sides."""
    base_bytes = record.run_file(storage, model.name, "predictions")
    difference = inputs_difference(TestInputs.of(head_run, head_bytes), TestInputs.of(base_run, base_bytes))
    rescore = None
    if difference is not None:
        # Re-scoring loads the training modes' data readers; most comparisons never need them.
        from mlci.compare.rescore import rescore_base

        rescored = rescore_base(
            config, model, head_run, base_run, record, storage, difference=difference, cache=cache, console=console
        )
        rescore = rescored.rescore
        if rescored.metrics is not None:
            metrics = {name: rescored.metrics.get(name, value) for name, value in base_run.metrics.items()}
            base_run = replace(base_run, metrics=metrics)
            base_bytes = rescored.predictions
    noise = None
    if config.noise.resamples:
        noise = paired_noise(
            config,
            model,
            head_run,
            base_run,
            (head_bytes, base_bytes),
            config.noise,
            console=console,
            cache=cache,
            names=names,
        )
    return BaseSide(run=base_run, noise=noise, rescore=rescore)
