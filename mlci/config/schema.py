"""The typed shape of `mlci.yaml`, as the rest of mlci sees it once it has been validated."""

from __future__ import annotations

import json
import re
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from mlci.config.files import WORK_DIR_NAME, project_root
from mlci.config.records import record
from mlci.config.yamlsource import FieldPath, YamlSource, dotted
from mlci.errors import ConfigError

Goal = Literal["maximize", "minimize"]
Mode = Literal["declarative", "entrypoint", "command"]
Requirement = Literal["significant", "better"]
AlertMode = Literal["issue", "none"]
RetrainTrigger = Literal["drift", "decay"]
RetrainMode = Literal["pr", "promote"]
ALIAS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@record
class MetricSpec:
    """A metric to record. `goal` is None for scorer names until training asks scikit-learn."""

    name: str
    goal: Goal | None = None
    kind: str | None = None
    """A command model's word for which known metric this is (`accuracy`, `rmse`), so the bootstrap
    can compute it from the predictions file whatever the project calls it."""


@record
class ParamsFileSpec:
    """A file of parameters a command model reads (DVC's `params.yaml`), recorded with each run."""

    path: Path
    name: str
    """The file as `mlci.yaml` names it, which names its parameters in a run (`params.yaml:train.lr`)."""
    keys: tuple[str, ...] | None = None
    """The dotted keys (or whole sections) to record; None records every key."""


@record
class GateSpec:
    """Limits a metric must respect; a failed gate fails the check (exit code 1)."""

    metric: str
    min: float | None = None
    max: float | None = None
    max_drop: float | None = None
    max_drop_is_percent: bool = False
    significant: bool = False
    """A drop beyond `max_drop` fails only when the bootstrap says it is real, not noise."""


@record
class SplitSpec:
    test_size: float = 0.25
    seed: int = 0


@record
class DataSpec:
    train: Path
    target: str
    test: Path | None = None
    split: SplitSpec = field(default_factory=SplitSpec)
    drop: tuple[str, ...] = ()
    header: bool = True
    """False for CSV or TSV files without a header row: their columns are `col_0`, `col_1`, ..."""


@record
class EstimatorSpec:
    class_name: str
    params: dict[str, Any] = field(default_factory=dict)


@record
class CommandSpec:
    run: str
    metrics_file: Path | None
    """None when the metrics come from the MLflow run the command logs (`outputs: {mlflow: true}`)."""
    model_file: Path | None = None
    predictions_file: Path | None = None
    plots: tuple[str, ...] = ()
    """Pictures the command writes, kept with the run: paths or glob patterns (`plots/*.png`), relative
    to the config's folder."""
    mlflow: bool = False
    """The command logs to MLflow: it runs with a tracking URI of mlci's (a local store under `.mlci/`),
    and its run's metrics, params and logged model are read from there."""


@record
class WatchSpec:
    """How far a metric may fall on fresh data, against the value the version recorded, before it has decayed."""

    metric: str
    max_drop: float = 5.0
    max_drop_is_percent: bool = True
    """The default allowance is relative (5% of the recorded value), so it means the same for accuracy
    and for an error in any unit."""
    significant: bool = True
    """Decay only when the bootstrap interval of the metric on the batch lies wholly on the worse side
    of the recorded value, so a small batch's noise is no alert."""


@record
class DriftSpec:
    """When a feature, and the whole batch, counts as drifted from the version's training data."""

    max_psi: float = 0.25
    """A feature drifted when its PSI is above this (0.25 is the usual line for a large shift) ..."""
    ks_pvalue: float = 0.01
    """... and, for a numeric feature, the Kolmogorov-Smirnov test says the shift is no sampling noise."""
    max_drifted_share: float = 0.5
    """The batch drifted when at least this share of the features drifted."""


@record
class MonitorSpec:
    """How `mlci monitor` checks the alias holder of a model on fresh data (`monitor:`, overridden
    per model by `models.<name>.monitor`)."""

    batch: str | None = None
    """A path or glob pattern, relative to mlci.yaml's folder: the newest matching file is the batch."""
    alias: str | None = None
    """The alias whose version to check; None means `promote.alias`."""
    min_rows: int = 200
    """A smaller batch gets no verdict ("not enough data"): drift and decay on fewer rows are noise."""
    performance: tuple[WatchSpec, ...] | None = None
    """The metrics to watch; None watches every metric of the model with `WatchSpec`'s defaults."""
    drift: DriftSpec = field(default_factory=DriftSpec)
    alert: AlertMode = "issue"


@record
class RetrainSpec:
    """When and how a monitor alert leads to retraining (`retrain:`)."""

    when: tuple[RetrainTrigger, ...] = ("drift", "decay")
    data: str | None = None
    """A command that refreshes the training data before retraining."""
    data_timeout: float = 1800.0
    """Seconds the data command may take before it is ended."""
    mode: RetrainMode = "pr"
    """`pr`: a pull request, reviewed like any change; `promote`: record and promote directly, only
    with `allow_unreviewed`."""
    allow_unreviewed: bool = False


@record
class ModelSpec:
    """One model of `mlci.yaml`: how to train it, what to measure and which limits apply."""

    name: str
    mode: Mode
    metrics: tuple[MetricSpec, ...]
    gates: tuple[GateSpec, ...] = ()
    deps: tuple[Path, ...] = ()
    data: DataSpec | None = None
    estimator: EstimatorSpec | None = None
    entrypoint: str | None = None
    command: CommandSpec | None = None
    preprocessing: Literal["auto", "none"] = "auto"
    description: str | None = None
    timeout: float | None = None
    """Seconds its training may take before it is ended; none by default (a CI job has its own limit)."""
    pass_env: tuple[str, ...] = ()
    """Variables its training may see although mlci withholds them (tokens, webhook secrets)."""
    params: tuple[ParamsFileSpec, ...] = ()
    """A command model's parameter files."""
    monitor: MonitorSpec = field(default_factory=MonitorSpec)
    """`monitor:` with this model's own `monitor:` over it."""
    section: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def metric_kind(self, name: str) -> str | None:
        """The `kind:` the metric `name` is given in mlci.yaml, if any."""
        return next((m.kind for m in self.metrics if m.name == name), None)

    @property
    def config_hash(self) -> str:
        """A digest of this model's section as written, so any config change is visible in lineage."""
        import hashlib  # loading OpenSSL's hashes costs a comparison more than the few that ask this

        canonical = json.dumps(self.section, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@record
class StoreSpec:
    """Where recorded runs and the registry live.

    `git` keeps them on a branch of the repository's remote, which every CI run can reach; `local`
    in a folder of this checkout, for laptops; `auto` (the default) is `git` when the repository has
    the remote and `local` when it has none.
    """

    backend: Literal["auto", "git", "local"] = "auto"
    path: Path = Path(".mlci/store")
    branch: str = "mlci-data"
    remote: str = "origin"


@record
class RegistrySpec:
    """How versions are kept in the registry."""

    max_model_mb: float = 100.0
    """Model files above this size are refused: every clone of the results branch would carry them."""
    trusted_types: tuple[str, ...] = ()
    """The repository's reviewed list of types a registered model may contain to be loaded."""


@record
class WebhookSpec:
    """A POST to a URL read from an environment variable (a secret), signed with HMAC-SHA256."""

    url_env: str = "MLCI_WEBHOOK_URL"
    secret_env: str | None = "MLCI_WEBHOOK_SECRET"


@record
class TriggersSpec:
    """What fires when an alias moves (a promotion or a rollback)."""

    deployment: bool = True
    dispatch: bool = True
    webhook: WebhookSpec | None = None
    command: str | None = None
    command_timeout: float = 1800.0
    """Seconds the deploy command may take before it is ended (and the trigger fails)."""


@record
class PromoteSpec:
    """Which alias `mlci promote` moves, when a version wins it, and what the move triggers."""

    alias: str = "production"
    auto: bool = True
    """Whether a push to the default branch moves the alias (false: it only registers the versions,
    and `mlci promote` or the promote action moves it)."""
    require: Requirement = "significant"
    """What a challenger's first metric must show against the holder's: a gain the paired bootstrap
    calls real (`significant`, when both kept predictions), or any gain at all (`better`)."""
    triggers: TriggersSpec = field(default_factory=TriggersSpec)


@record
class MlflowSpec:
    """An MLflow tracking server that mirrors the recorded runs and the registry's versions and aliases.

    The results branch stays the source of truth; MLflow gets a copy, repaired by `mlci registry sync`.
    """

    tracking_uri: str | None = None
    """The server (http or https); without it, `MLFLOW_TRACKING_URI` when that names a server."""
    experiment: str = "mlci/{model}"
    """The experiment each model's runs are logged to; `{model}` is the model's name."""


@record
class DataChecksSpec:
    """When the training data's changes fail the check (by default they are only reported)."""

    max_psi: float | None = None
    fail_on_schema_change: bool = False


@record
class NoiseSpec:
    """The paired bootstrap that tells real changes from noise (0 resamples turns it off)."""

    resamples: int = 1000
    confidence: float = 0.95
    seed: int = 0


@record
class PlanSpec:
    """How `mlci plan` fans the changed models out on GitHub's matrix."""

    max_jobs: int = 256
    """GitHub runs at most 256 jobs of one matrix; above this many changed models, each job trains a
    bucket of them."""


@record
class RecordSpec:
    """What `mlci record` lets pass."""

    ignore_changes: tuple[str, ...] = ()
    """Gitignore-style paths, relative to mlci.yaml's folder, whose uncommitted changes do not make
    the working tree dirty: files the training itself rewrites, such as DVC's `dvc.lock`."""


@record
class ReportSpec:
    """How the Markdown report is rendered."""

    title: str = "mlci report"
    template: Path | None = None


@record
class Config:
    """A validated `mlci.yaml`. Paths in it are absolute, resolved against the config's folder."""

    path: Path
    models: dict[str, ModelSpec]
    store: StoreSpec = field(default_factory=StoreSpec)
    registry: RegistrySpec = field(default_factory=RegistrySpec)
    promote: PromoteSpec = field(default_factory=PromoteSpec)
    noise: NoiseSpec = field(default_factory=NoiseSpec)
    data_checks: DataChecksSpec = field(default_factory=DataChecksSpec)
    report: ReportSpec = field(default_factory=ReportSpec)
    record: RecordSpec = field(default_factory=RecordSpec)
    monitor: MonitorSpec = field(default_factory=MonitorSpec)
    """The repository-wide `monitor:` section; each model's own is `ModelSpec.monitor`."""
    retrain: RetrainSpec = field(default_factory=RetrainSpec)
    plan: PlanSpec = field(default_factory=PlanSpec)
    mlflow: MlflowSpec = field(default_factory=MlflowSpec)
    source: YamlSource | None = field(default=None, compare=False, repr=False)

    def error(self, field_path: FieldPath, message: str, *, hint: str | None = None) -> ConfigError:
        """A `ConfigError` pointing at the line of `field_path` in `mlci.yaml`, for problems found
        after parsing (an estimator class that does not import, an unknown scorer name)."""
        if self.source is None:
            return ConfigError(f"{self.path}: {dotted(field_path)}: {message}", hint=hint)
        return self.source.error(field_path, message, hint=hint)

    @property
    def root(self) -> Path:
        """The folder that holds the config: relative paths and `.mlci/` start here."""
        return self.path.parent

    @property
    def project_root(self) -> Path:
        """The repository that holds the config (else its folder): every file mlci reads through the
        config, copies into a run or records must be inside it (see `mlci.config.files.confine`)."""
        return project_root(self.root)

    @property
    def work_dir(self) -> Path:
        """Where this checkout's own runs and caches are written (ignored by git)."""
        return self.root / WORK_DIR_NAME

    @property
    def ignored_changes(self) -> tuple[str, ...]:
        """What may differ from the commit while its runs still count as trained at it (gitignore-style
        patterns, relative to `root`): mlci's own folder and `record.ignore_changes`."""
        return (f"/{self.work_dir.name}", *self.record.ignore_changes)
