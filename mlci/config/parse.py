"""Turn the YAML of `mlci.yaml` into a `Config`, naming file, line and field for every problem."""

from __future__ import annotations

import itertools
import posixpath
import re
from pathlib import PurePosixPath
from typing import Any, get_args

from mlci.config.files import VALUE_FORMATS, extensions
from mlci.config.goals import goal_from_name
from mlci.config.metric_names import COMPUTED, KIND_NAMES, computed_scorer
from mlci.config.monitoring import MonitorFields, model_monitor, parse_monitor, parse_retrain
from mlci.config.reader import Reader, close_match, kind_of
from mlci.config.schema import (
    ALIAS_NAME,
    CommandSpec,
    Config,
    DataChecksSpec,
    DataSpec,
    EstimatorSpec,
    GateSpec,
    Goal,
    MetricSpec,
    MlflowSpec,
    Mode,
    ModelSpec,
    NoiseSpec,
    ParamsFileSpec,
    PlanSpec,
    PromoteSpec,
    RecordSpec,
    RegistrySpec,
    ReportSpec,
    Requirement,
    SplitSpec,
    StoreSpec,
    TriggersSpec,
    WebhookSpec,
)
from mlci.config.yamlsource import FieldPath, YamlSource

MODES: dict[str, Mode] = {"estimator": "declarative", "entrypoint": "entrypoint", "command": "command"}
MODEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
ENTRYPOINT = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
DOTTED_CLASS = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$")
BRANCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
REMOTE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
STORE_BACKENDS = ("auto", "git", "local")
# What scikit-learn's `random_state` and numpy's generators accept as a seed.
# The bootstrap's cost grows with resamples, and metrics without a vectorised form cost milliseconds
# per resample (roc_auc: about 15 ms on a shared 2-core runner, so 1,000 resamples take 15 s per model
# and 100,000 took minutes). Percentile intervals settle well before this: 1,000 is the default.
MAX_RESAMPLES = 5000
# What makes a path a glob pattern, as Python's `Path.glob` reads it.
GLOB_CHARACTERS = re.compile(r"[*?\[]")

TOP_KEYS = {
    "version",
    "models",
    "store",
    "registry",
    "promote",
    "noise",
    "data_checks",
    "report",
    "record",
    "monitor",
    "retrain",
    "plan",
    "mlflow",
}
DATA_CHECK_KEYS = {"max_psi", "fail_on_schema_change"}
MODEL_KEYS = {
    "data",
    "estimator",
    "entrypoint",
    "command",
    "outputs",
    "metrics",
    "gates",
    "deps",
    "preprocessing",
    "description",
    "timeout",
    "pass_env",
    "params",
    "monitor",
}
DATA_KEYS = {"train", "test", "target", "split", "drop", "header"}
SPLIT_KEYS = {"test_size", "seed"}
ESTIMATOR_KEYS = {"class", "params"}
OUTPUT_KEYS = {"metrics", "model", "predictions", "plots", "mlflow"}
MLFLOW_KEYS = {"tracking_uri", "experiment"}
METRIC_KEYS = {"name", "goal", "kind"}
GATE_KEYS = {"min", "max", "max_drop", "significant"}
NOISE_KEYS = {"resamples", "confidence", "seed"}
STORE_KEYS = {"backend", "path", "branch", "remote"}
REPORT_KEYS = {"title", "template"}
RECORD_KEYS = {"ignore_changes"}
PLAN_KEYS = {"max_jobs"}
# GitHub's limit on the jobs of one matrix.
MAX_MATRIX_JOBS = 256
REGISTRY_KEYS = {"max_model_mb", "trusted_types"}
PROMOTE_KEYS = {"alias", "auto", "require", "triggers"}
REQUIREMENTS: tuple[Requirement, ...] = get_args(Requirement)
TRIGGER_KEYS = {"deployment", "dispatch", "webhook", "command", "command_timeout"}
WEBHOOK_KEYS = {"url_env", "secret_env"}
# MLflow keeps these for itself (`models:/iris/latest`, `models:/iris@v3` naming version 3), so an
# alias of that name could never be mirrored there.
MLFLOW_RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_config(source: YamlSource) -> Config:
    """Validate the whole document and build the typed config."""
    reader = Reader(source)
    top = reader.mapping((), source.data, required={"version", "models"}, allowed=TOP_KEYS)
    version = top["version"]
    if version != 1 or isinstance(version, bool):
        raise source.error(("version",), f"unsupported version {version!r}; this mlci reads version 1")
    models_raw = reader.mapping(("models",), top["models"])
    if not models_raw:
        raise source.error(("models",), "no models defined", hint="Add at least one model under `models:`.")
    monitor = parse_monitor(reader, top.get("monitor"))
    models = {}
    for name, section in models_raw.items():
        models[name] = _parse_model(reader, str(name), section, monitor)
    monitor.check_used(reader, [spec.metrics for spec in models.values()])
    retrain = parse_retrain(reader, top.get("retrain"))
    return Config(
        path=source.path.resolve(),
        models=models,
        store=_parse_store(reader, top.get("store")),
        registry=_parse_registry(reader, top.get("registry")),
        promote=_parse_promote(reader, top.get("promote")),
        noise=_parse_noise(reader, top.get("noise")),
        data_checks=_parse_data_checks(reader, top.get("data_checks")),
        report=_parse_report(reader, top.get("report")),
        record=_parse_record(reader, top.get("record")),
        monitor=monitor.spec(),
        retrain=retrain,
        plan=_parse_plan(reader, top.get("plan")),
        mlflow=_parse_mlflow(reader, top.get("mlflow")),
        source=source,
    )


def _parse_model(reader: Reader, name: str, section: Any, monitor: MonitorFields) -> ModelSpec:
    base: FieldPath = ("models", name)
    if not MODEL_NAME.match(name):
        raise reader.fail(
            base, "model names use lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit"
        )
    raw = reader.mapping(base, section, allowed=MODEL_KEYS, required={"metrics"})
    modes = [key for key in ("estimator", "entrypoint", "command") if key in raw]
    if len(modes) != 1:
        found = ", ".join(f"`{m}`" for m in modes) if modes else "none"
        raise reader.fail(base, f"needs exactly one of `estimator`, `entrypoint` or `command` (found {found})")
    mode: Mode = MODES[modes[0]]

    data = estimator = entrypoint = command = None
    if mode == "command":
        for key in ("data",):
            if key in raw:
                raise reader.fail(
                    (*base, key),
                    "is not used with `command:`; the command reads its own data",
                    hint="List the files it reads under `deps:` so changes are detected.",
                )
        command = _parse_command(reader, base, raw)
    else:
        if "outputs" in raw:
            raise reader.fail((*base, "outputs"), "only applies to `command:` models")
        if "data" not in raw:
            raise reader.fail(base, "missing required key `data` (train file and target column)")
        data = _parse_data(reader, (*base, "data"), raw["data"])
        if mode == "declarative":
            estimator = _parse_estimator(reader, (*base, "estimator"), raw["estimator"])
        else:
            entrypoint = reader.text((*base, "entrypoint"), raw["entrypoint"])
            if not ENTRYPOINT.match(entrypoint):
                raise reader.fail((*base, "entrypoint"), f"{entrypoint!r} is not of the form package.module:function")

    metrics = _parse_metrics(reader, (*base, "metrics"), raw["metrics"], command=mode == "command")
    gates = _parse_gates(reader, (*base, "gates"), raw.get("gates"), {m.name for m in metrics})
    deps = tuple(
        reader.path((*base, "deps", i), d) for i, d in enumerate(_as_list(reader, (*base, "deps"), raw.get("deps")))
    )
    preprocessing = raw.get("preprocessing", ModelSpec.preprocessing)
    if preprocessing not in ("auto", "none"):
        raise reader.fail((*base, "preprocessing"), f"must be `auto` or `none`, not {preprocessing!r}")
    description = reader.text((*base, "description"), raw["description"]) if "description" in raw else None
    timeout = reader.duration((*base, "timeout"), raw["timeout"]) if raw.get("timeout") is not None else None
    pass_env = _parse_pass_env(reader, (*base, "pass_env"), raw.get("pass_env"))
    params = _parse_params(reader, (*base, "params"), raw.get("params"), command=mode == "command")
    return ModelSpec(
        name=name,
        description=description,
        mode=mode,
        metrics=metrics,
        gates=gates,
        deps=deps,
        data=data,
        estimator=estimator,
        entrypoint=entrypoint,
        command=command,
        preprocessing=preprocessing,
        timeout=timeout,
        pass_env=pass_env,
        params=params,
        monitor=model_monitor(reader, (*base, "monitor"), raw.get("monitor"), monitor, metrics),
        # How the model is watched in production is not part of its recipe: changing it retrains nothing.
        section={key: value for key, value in raw.items() if key != "monitor"},
    )


def _as_list(reader: Reader, path: FieldPath, value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise reader.fail(path, f"must be a list, not {kind_of(value)}")
    return value


def _parse_pass_env(reader: Reader, path: FieldPath, value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):
        raise reader.fail(
            path,
            "lists the names of variables to pass on, never their values",
            hint="Set values in the workflow step's `env:` (from secrets) and name them here: "
            "pass_env: [WANDB_API_KEY].",
        )
    names = []
    for index, name in enumerate(_as_list(reader, path, value)):
        name = reader.text((*path, index), name)
        if not ENV_NAME.match(name):
            hint = "Name the variable, never its value: mlci.yaml is committed for all to read."
            # `NAME=value` may hold a secret: the message must not repeat it into a public log.
            shown = "an assignment (NAME=value)" if "=" in name else repr(name)
            raise reader.fail((*path, index), f"{shown} is not an environment variable name", hint=hint)
        names.append(name)
    return tuple(names)


def _parse_data(reader: Reader, path: FieldPath, value: Any) -> DataSpec:
    raw = reader.mapping(path, value, allowed=DATA_KEYS, required={"train", "target"})
    split = SplitSpec()
    if "split" in raw:
        if "test" in raw:
            raise reader.fail((*path, "split"), "cannot be used together with `test`; the test file is the split")
        split_raw = reader.mapping((*path, "split"), raw["split"], allowed=SPLIT_KEYS)
        test_size = split_raw.get("test_size", SplitSpec.test_size)
        size = reader.number((*path, "split", "test_size"), test_size)
        if isinstance(test_size, float) and not 0 < size < 1:
            raise reader.fail((*path, "split", "test_size"), f"a fraction must be between 0 and 1, not {size}")
        if isinstance(test_size, int) and size < 1:
            raise reader.fail((*path, "split", "test_size"), f"a row count must be at least 1, not {test_size}")
        seed = reader.seed((*path, "split", "seed"), split_raw.get("seed", SplitSpec.seed))
        split = SplitSpec(test_size=test_size if isinstance(test_size, int) else size, seed=seed)
    target = reader.text((*path, "target"), raw["target"])
    drop = tuple(reader.text_list((*path, "drop"), raw.get("drop", [])))
    header = raw.get("header", DataSpec.header)
    if not isinstance(header, bool):
        raise reader.fail((*path, "header"), f"must be true or false, not {header!r}")
    if target in drop:
        raise reader.fail((*path, "drop"), f"lists the target column {target!r}")
    # Data may live outside the project (a mounted dataset): mlci only reads it, and never copies or
    # records it; a run keeps its fingerprint, not its content.
    return DataSpec(
        train=reader.path((*path, "train"), raw["train"], inside=False),
        test=reader.path((*path, "test"), raw["test"], inside=False) if "test" in raw else None,
        target=target,
        split=split,
        drop=drop,
        header=header,
    )


def _parse_estimator(reader: Reader, path: FieldPath, value: Any) -> EstimatorSpec:
    if isinstance(value, str):
        value = {"class": value}
    raw = reader.mapping(path, value, allowed=ESTIMATOR_KEYS, required={"class"})
    class_name = reader.text((*path, "class"), raw["class"])
    if not DOTTED_CLASS.match(class_name):
        raise reader.fail(
            (*path, "class"),
            f"{class_name!r} is not a dotted class name",
            hint="For example: sklearn.linear_model.LogisticRegression",
        )
    params = reader.mapping((*path, "params"), raw.get("params"))
    return EstimatorSpec(class_name=class_name, params=dict(params))


def _parse_command(reader: Reader, base: FieldPath, raw: dict[str, Any]) -> CommandSpec:
    run = reader.text((*base, "command"), raw["command"])
    if "outputs" not in raw:
        raise reader.fail(base, "missing required key `outputs` (where the command writes its metrics)")
    outputs = reader.mapping((*base, "outputs"), raw["outputs"], allowed=OUTPUT_KEYS)
    mlflow = outputs.get("mlflow", False)
    if not isinstance(mlflow, bool):
        raise reader.fail((*base, "outputs", "mlflow"), f"must be true or false, not {mlflow!r}")
    if "metrics" not in outputs and not mlflow:
        raise reader.fail(
            (*base, "outputs"),
            "missing required key `metrics` (the file the command writes its metrics to)",
            hint="A script that logs to MLflow can keep doing so: write `outputs: {mlflow: true}`.",
        )
    return CommandSpec(
        run=run,
        metrics_file=reader.path((*base, "outputs", "metrics"), outputs["metrics"]) if "metrics" in outputs else None,
        mlflow=mlflow,
        model_file=reader.path((*base, "outputs", "model"), outputs["model"]) if "model" in outputs else None,
        predictions_file=(
            reader.path((*base, "outputs", "predictions"), outputs["predictions"]) if "predictions" in outputs else None
        ),
        plots=_parse_plots(reader, (*base, "outputs", "plots"), outputs.get("plots")),
    )


def _parse_plots(reader: Reader, path: FieldPath, value: Any) -> tuple[str, ...]:
    """Paths or glob patterns of pictures, each of which must stay inside the project: the folders
    before its first wildcard are held to that like any output path, and it may not climb out with `..`."""
    patterns = reader.text_list(path, value) if value is not None else []
    for pattern in patterns:
        parts = PurePosixPath(pattern).parts
        literal = list(itertools.takewhile(lambda part: not GLOB_CHARACTERS.search(part), parts))
        if ".." in parts[len(literal) :]:
            raise reader.fail(path, f"{pattern!r}: a pattern may not climb out of a folder with `..`")
        reader.path(path, str(PurePosixPath(*literal)) if literal else ".")
    return tuple(patterns)


def _parse_metrics(reader: Reader, path: FieldPath, value: Any, *, command: bool) -> tuple[MetricSpec, ...]:
    """Metric names with their goals; a command model's goal comes from `goal:`, else its `kind:`,
    else its name, and is required."""
    items = _as_list(reader, path, value)
    if not items:
        raise reader.fail(path, "lists no metrics")
    metrics: list[MetricSpec] = []
    names: set[str] = set()
    for index, item in enumerate(items):
        item_path = (*path, index)
        if isinstance(item, str):
            item = {"name": item}
        raw = reader.mapping(item_path, item, allowed=METRIC_KEYS, required={"name"})
        name = reader.text((*item_path, "name"), raw["name"])
        if not name.isprintable():
            raise reader.fail(
                (*item_path, "name"),
                f"metric name {name!r} holds a line break, control, bidi or other invisible character",
                hint="Metric names are shown in terminals, logs and reports; use visible characters only.",
            )
        goal = raw.get("goal")
        if goal is not None and goal not in ("maximize", "minimize"):
            raise reader.fail((*item_path, "goal"), f"must be `maximize` or `minimize`, not {goal!r}")
        kind = (
            _parse_kind(reader, (*item_path, "kind"), raw["kind"], goal=goal, command=command)
            if "kind" in raw
            else None
        )
        if goal is None and command:
            goal = _kind_goal(kind) or goal_from_name(name)
            if goal is None:
                raise reader.fail(
                    item_path,
                    f"metric {name!r} needs a goal",
                    hint=f"Write it as {{name: {name}, goal: maximize}} or goal: minimize.",
                )
        if name in names:
            raise reader.fail(item_path, f"metric {name!r} is listed twice")
        names.add(name)
        metrics.append(MetricSpec(name=name, goal=goal, kind=kind))
    return tuple(metrics)


def _parse_kind(reader: Reader, path: FieldPath, value: Any, *, goal: str | None, command: bool) -> str:
    """A command metric's `kind:`: one of the metrics the bootstrap computes, agreeing with `goal`."""
    if not command:
        raise reader.fail(
            path,
            "is for command models; here the metric's name is the scikit-learn metric",
            hint="Name the metric by its scorer (accuracy, rmse, r2) instead.",
        )
    kind = reader.text(path, value)
    if computed_scorer(kind) is None:
        close = close_match(kind.lower(), sorted({*KIND_NAMES, *COMPUTED}), n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        raise reader.fail(
            path,
            f"{kind!r} is not a metric mlci computes from predictions{guess}",
            hint=f"A kind is one of {', '.join(KIND_NAMES)}: the metrics whose noise mlci measures "
            "from a predictions file. For any other metric, leave `kind` out.",
        )
    kind_goal = _kind_goal(kind)
    if goal is not None and goal != kind_goal:
        better = "higher" if kind_goal == "maximize" else "lower"
        raise reader.fail(path, f"{kind} contradicts goal {goal}: for {kind}, {better} is better")
    return kind


def _kind_goal(kind: str | None) -> Goal | None:
    known = computed_scorer(kind) if kind else None
    if known is None:
        return None
    _scorer, negate = known
    return "minimize" if negate else "maximize"


def _parse_params(reader: Reader, path: FieldPath, value: Any, *, command: bool) -> tuple[ParamsFileSpec, ...]:
    """`params: [params.yaml, {train.json: [lr, depth]}]`: files of a command model's parameters,
    each with all its keys or the keys (or sections) named."""
    if value is None:
        return ()
    if not command:
        raise reader.fail(
            path,
            "lists the parameter files a `command:` model reads",
            hint="A declarative model's parameters are `estimator.params`; an entrypoint's are those of "
            "the estimator it returns, which mlci records itself.",
        )
    files: list[ParamsFileSpec] = []
    for index, item in enumerate(_as_list(reader, path, value)):
        item_path: FieldPath = (*path, index)
        keys = None
        if isinstance(item, dict):
            entry = reader.mapping(item_path, item)
            if len(entry) != 1:
                raise reader.fail(item_path, "names one file and the keys to record, like `params.yaml: [train.lr]`")
            ((name, selected),) = entry.items()
            if selected is not None:
                # No keys (`params.yaml:` or `params.yaml: []`) records them all, as DVC does.
                keys = tuple(reader.text_list((*item_path, name), selected)) or None
        else:
            name = reader.text(item_path, item)
        name = posixpath.normpath(name)
        file = reader.path(item_path, name)
        if file.suffix.lower() not in VALUE_FORMATS:
            raise reader.fail(
                item_path,
                f"{name!r} is not a parameter file mlci can read: name it {extensions(VALUE_FORMATS)}",
                hint=f"To record some keys of a file, write `params.yaml: [{name}]`.",
            )
        if any(spec.path == file for spec in files):
            raise reader.fail(item_path, f"{name!r} is listed twice")
        files.append(ParamsFileSpec(path=file, name=name, keys=keys))
    return tuple(files)


def _parse_gates(reader: Reader, path: FieldPath, value: Any, metric_names: set[str]) -> tuple[GateSpec, ...]:
    raw = reader.mapping(path, value)
    gates = []
    for metric, limits in raw.items():
        gate_path = (*path, metric)
        if metric not in metric_names:
            close = close_match(metric, sorted(metric_names), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"metrics: {', '.join(sorted(metric_names))}"
            raise reader.fail(gate_path, f"gate for a metric the model does not list ({hint})")
        limits = reader.mapping(gate_path, limits, allowed=GATE_KEYS)
        significant = limits.get("significant", GateSpec.significant)
        if not isinstance(significant, bool):
            raise reader.fail((*gate_path, "significant"), f"must be true or false, not {significant!r}")
        if significant and "max_drop" not in limits:
            raise reader.fail((*gate_path, "significant"), "applies to max_drop; this gate sets none")
        if not set(limits) - {"significant"}:
            raise reader.fail(gate_path, "sets no limit; use min, max or max_drop")
        low = reader.number((*gate_path, "min"), limits["min"]) if "min" in limits else None
        high = reader.number((*gate_path, "max"), limits["max"]) if "max" in limits else None
        if low is not None and high is not None and low > high:
            raise reader.fail(gate_path, f"min ({low}) is above max ({high})")
        drop, percent = None, False
        if "max_drop" in limits:
            drop, percent = reader.drop((*gate_path, "max_drop"), limits["max_drop"])
        gates.append(
            GateSpec(
                metric=metric, min=low, max=high, max_drop=drop, max_drop_is_percent=percent, significant=significant
            )
        )
    return tuple(gates)


def _parse_store(reader: Reader, value: Any) -> StoreSpec:
    raw = reader.mapping(("store",), value, allowed=STORE_KEYS)
    backend = raw.get("backend", StoreSpec.backend)
    if backend not in STORE_BACKENDS:
        raise reader.fail(("store", "backend"), f"unknown backend {backend!r}; available: {', '.join(STORE_BACKENDS)}")
    # A local store may be a folder shared by several checkouts: it holds mlci's own records, read
    # back with strict checks, and nothing from it is copied into a run.
    path = reader.path(("store", "path"), raw["path"], inside=False) if "path" in raw else reader.root / StoreSpec.path
    branch = reader.text(("store", "branch"), raw["branch"]) if "branch" in raw else StoreSpec.branch
    if not BRANCH_NAME.match(branch) or ".." in branch or branch.endswith((".lock", "/", ".")):
        raise reader.fail(("store", "branch"), f"{branch!r} is not a usable branch name")
    remote = reader.text(("store", "remote"), raw["remote"]) if "remote" in raw else StoreSpec.remote
    if not REMOTE_NAME.match(remote):
        raise reader.fail(("store", "remote"), f"{remote!r} is not a git remote name")
    return StoreSpec(backend=backend, path=path, branch=branch, remote=remote)


def _parse_registry(reader: Reader, value: Any) -> RegistrySpec:
    raw = reader.mapping(("registry",), value, allowed=REGISTRY_KEYS)
    limit = RegistrySpec.max_model_mb
    if "max_model_mb" in raw:
        limit = reader.number(("registry", "max_model_mb"), raw["max_model_mb"])
        if limit <= 0:
            raise reader.fail(("registry", "max_model_mb"), "must be a positive number of megabytes")
    trusted: tuple[str, ...] = ()
    if "trusted_types" in raw:
        trusted = tuple(reader.text_list(("registry", "trusted_types"), raw["trusted_types"]))
    return RegistrySpec(max_model_mb=limit, trusted_types=trusted)


def _parse_promote(reader: Reader, value: Any) -> PromoteSpec:
    raw = reader.mapping(("promote",), value, allowed=PROMOTE_KEYS)
    alias = reader.text(("promote", "alias"), raw["alias"]) if "alias" in raw else PromoteSpec.alias
    problem = alias_problem(alias)
    if problem is not None:
        raise reader.fail(("promote", "alias"), problem)
    auto = raw.get("auto", PromoteSpec.auto)
    if not isinstance(auto, bool):
        raise reader.fail(("promote", "auto"), f"must be true or false, not {auto!r}")
    require = raw.get("require", PromoteSpec.require)
    if require not in REQUIREMENTS:
        raise reader.fail(
            ("promote", "require"),
            f"must be {' or '.join(REQUIREMENTS)}, not {require!r}",
            hint="`significant`: a gain the bootstrap says is real; `better`: any gain on the first metric.",
        )
    return PromoteSpec(alias=alias, auto=auto, require=require, triggers=_parse_triggers(reader, raw.get("triggers")))


def alias_problem(alias: str) -> str | None:
    """Why `alias` cannot name an alias, or None when it can."""
    if not ALIAS_NAME.match(alias):
        return f"{alias!r} is not a usable alias name (letters, digits, _.-)"
    if MLFLOW_RESERVED_ALIAS.match(alias):
        return f"{alias!r} is an alias name MLflow reserves (`latest` and `v<number>` name versions there)"
    return None


def _parse_mlflow(reader: Reader, value: Any) -> MlflowSpec:
    raw = reader.mapping(("mlflow",), value, allowed=MLFLOW_KEYS)
    uri = None
    if raw.get("tracking_uri") is not None:
        uri = reader.text(("mlflow", "tracking_uri"), raw["tracking_uri"]).rstrip("/")
        if not uri.startswith(("http://", "https://")) or "@" in uri.split("/")[2]:
            raise reader.fail(
                ("mlflow", "tracking_uri"),
                f"{uri!r} is not the URL of an MLflow tracking server (http:// or https://, no credentials)",
                hint="mlci talks to the server's REST API; credentials go in MLFLOW_TRACKING_TOKEN, or "
                "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.",
            )
    experiment = MlflowSpec.experiment
    if "experiment" in raw:
        experiment = reader.text(("mlflow", "experiment"), raw["experiment"])
        try:
            experiment.format(model="m")
        except (KeyError, IndexError, ValueError, AttributeError):
            raise reader.fail(
                ("mlflow", "experiment"),
                f"{experiment!r}: the only placeholder is `{{model}}`",
                hint="For example `mlci/{model}`, or one experiment for every model: `churn-team`.",
            ) from None
    return MlflowSpec(tracking_uri=uri, experiment=experiment)


def _parse_triggers(reader: Reader, value: Any) -> TriggersSpec:
    where = ("promote", "triggers")
    raw = reader.mapping(where, value, allowed=TRIGGER_KEYS)
    flags = {}
    for key in ("deployment", "dispatch"):
        flag = raw.get(key, getattr(TriggersSpec, key))
        if not isinstance(flag, bool):
            raise reader.fail((*where, key), f"must be true or false, not {flag!r}")
        flags[key] = flag
    webhook = None
    if raw.get("webhook") is not None:
        hook = reader.mapping((*where, "webhook"), raw["webhook"], allowed=WEBHOOK_KEYS)
        names = {}
        for key in ("url_env", "secret_env"):
            if key in hook:
                name = reader.text((*where, "webhook", key), hook[key])
                if not ENV_NAME.match(name):
                    raise reader.fail(
                        (*where, "webhook", key),
                        f"{name!r} is not an environment variable name",
                        hint="Name the variable that holds the secret, never the secret itself.",
                    )
                names[key] = name
        webhook = WebhookSpec(**names)
    command = reader.text((*where, "command"), raw["command"]) if raw.get("command") is not None else None
    command_timeout = TriggersSpec.command_timeout
    if raw.get("command_timeout") is not None:
        command_timeout = reader.duration((*where, "command_timeout"), raw["command_timeout"])
    return TriggersSpec(**flags, webhook=webhook, command=command, command_timeout=command_timeout)


def _parse_data_checks(reader: Reader, value: Any) -> DataChecksSpec:
    raw = reader.mapping(("data_checks",), value, allowed=DATA_CHECK_KEYS)
    max_psi = None
    if raw.get("max_psi") is not None:
        max_psi = reader.number(("data_checks", "max_psi"), raw["max_psi"])
        if max_psi <= 0:
            raise reader.fail(("data_checks", "max_psi"), "must be positive; 0.25 is the usual line for a large shift")
    schema = raw.get("fail_on_schema_change", DataChecksSpec.fail_on_schema_change)
    if not isinstance(schema, bool):
        raise reader.fail(("data_checks", "fail_on_schema_change"), f"must be true or false, not {schema!r}")
    return DataChecksSpec(max_psi=max_psi, fail_on_schema_change=schema)


def _parse_noise(reader: Reader, value: Any) -> NoiseSpec:
    raw = reader.mapping(("noise",), value, allowed=NOISE_KEYS)
    resamples = reader.integer(("noise", "resamples"), raw["resamples"]) if "resamples" in raw else NoiseSpec.resamples
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise reader.fail(
            ("noise", "resamples"),
            f"must be between 0 (no bootstrap) and {MAX_RESAMPLES}, not {resamples}",
            hint="1000 (the default) gives stable 95% intervals; more only makes comparisons slower.",
        )
    confidence = NoiseSpec.confidence
    if "confidence" in raw:
        confidence = reader.number(("noise", "confidence"), raw["confidence"])
        if not 0.5 <= confidence < 1:
            raise reader.fail(("noise", "confidence"), "must be at least 0.5 and below 1, like 0.95")
    seed = reader.seed(("noise", "seed"), raw["seed"]) if "seed" in raw else NoiseSpec.seed
    return NoiseSpec(resamples=resamples, confidence=confidence, seed=seed)


def _parse_plan(reader: Reader, value: Any) -> PlanSpec:
    raw = reader.mapping(("plan",), value, allowed=PLAN_KEYS)
    if "max_jobs" not in raw:
        return PlanSpec()
    max_jobs = reader.integer(("plan", "max_jobs"), raw["max_jobs"])
    if not 1 <= max_jobs <= MAX_MATRIX_JOBS:
        raise reader.fail(
            ("plan", "max_jobs"),
            f"must be between 1 and {MAX_MATRIX_JOBS} (GitHub's limit for one matrix), not {max_jobs}",
        )
    return PlanSpec(max_jobs=max_jobs)


def _parse_report(reader: Reader, value: Any) -> ReportSpec:
    raw = reader.mapping(("report",), value, allowed=REPORT_KEYS)
    title = reader.text(("report", "title"), raw["title"]) if "title" in raw else ReportSpec.title
    template = reader.path(("report", "template"), raw["template"]) if "template" in raw else None
    return ReportSpec(title=title, template=template)


def _parse_record(reader: Reader, value: Any) -> RecordSpec:
    raw = reader.mapping(("record",), value, allowed=RECORD_KEYS)
    where = ("record", "ignore_changes")
    patterns = reader.text_list(where, raw["ignore_changes"]) if raw.get("ignore_changes") is not None else []
    for index, pattern in enumerate(patterns):
        if pattern.startswith("!"):
            raise reader.fail((*where, index), f"{pattern!r}: negated patterns are not supported here")
        if "\\" in pattern:
            raise reader.fail((*where, index), f"{pattern!r}: separate folders with `/`, as in .gitignore")
        if ".." in pattern.split("/"):
            raise reader.fail(
                (*where, index), f"{pattern!r} leaves mlci.yaml's folder", hint="Name paths inside mlci.yaml's folder."
            )
    return RecordSpec(ignore_changes=tuple(patterns))
