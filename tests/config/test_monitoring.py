"""The `monitor:` and `retrain:` sections: defaults, per-model overrides, and errors at their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.config import load_config
from mlci.config.schema import DriftSpec, MonitorSpec, RetrainSpec, WatchSpec
from mlci.errors import ConfigError

MODELS = """\
version: 1
models:
  iris:
    data: {train: iris.csv, target: species}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy, f1_macro]
"""


def config_of(tmp_path: Path, text: str):
    path = tmp_path / "mlci.yaml"
    path.write_text(text)
    return load_config(path)


def test_without_the_sections_every_default_applies(tmp_path: Path) -> None:
    config = config_of(tmp_path, MODELS)
    assert config.monitor == MonitorSpec() and config.models["iris"].monitor == MonitorSpec()
    assert config.retrain == RetrainSpec(when=("drift", "decay"), mode="pr")
    assert MonitorSpec().min_rows == 200 and DriftSpec().max_psi == 0.25 and WatchSpec("x").significant


def test_a_model_section_overrides_the_repository_one_key_by_key(tmp_path: Path) -> None:
    text = MODELS + (
        "    monitor:\n"
        "      drift: {max_psi: 0.4}\n"
        "      performance: {accuracy: {max_drop: 0.03}}\n"
        "  other:\n"
        "    data: {train: iris.csv, target: species}\n"
        "    estimator: {class: sklearn.linear_model.LogisticRegression}\n"
        "    metrics: [accuracy]\n"
        "monitor:\n"
        "  batch: data/incoming/*.parquet\n"
        "  alias: staging\n"
        "  drift: {max_drifted_share: 0.3}\n"
        "  performance:\n"
        "    f1_macro: {max_drop: '3%', significant: false}\n"
    )
    config = config_of(tmp_path, text)
    iris, other = config.models["iris"].monitor, config.models["other"].monitor
    assert iris.batch == "data/incoming/*.parquet" and iris.alias == "staging"
    assert iris.drift == DriftSpec(max_psi=0.4, max_drifted_share=0.3)
    assert iris.performance == (WatchSpec("accuracy", max_drop=0.03, max_drop_is_percent=False),)
    # The repository-wide watch of f1_macro applies to the models that list it; `other` does not.
    assert other.performance == () and other.drift == DriftSpec(max_drifted_share=0.3)


def test_monitor_settings_are_no_part_of_the_model_s_recipe(tmp_path: Path) -> None:
    plain = config_of(tmp_path, MODELS).models["iris"]
    watched = config_of(tmp_path, MODELS + "    monitor: {min_rows: 500}\n").models["iris"]
    assert watched.monitor.min_rows == 500 and watched.config_hash == plain.config_hash


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("monitor:\n  min_rows: 5\n", "mlci.yaml:8: monitor.min_rows: must be at least 20, not 5"),
        ("monitor:\n  alert: slack\n", "mlci.yaml:8: monitor.alert: must be issue or none, not 'slack'"),
        ("monitor:\n  drift: {max_psy: 0.2}\n", "monitor.drift.max_psy: unknown key (did you mean `max_psi`?)"),
        ("monitor:\n  drift: {max_drifted_share: 2}\n", "must be above 0 and at most 1, not 2.0"),
        ("monitor:\n  performance: {auc: {max_drop: 0.1}}\n", "performance.auc: no model lists the metric 'auc'"),
        ("monitor:\n  performance: {accuracy: {max_drop: lots}}\n", "must be a number or a percentage like '2%'"),
        ("retrain:\n  when: [drift, rain]\n", "mlci.yaml:8: retrain.when[1]: must be drift or decay, not 'rain'"),
        ("retrain:\n  mode: promote\n", "retrain.mode: `promote` puts a retrained model in production with no one"),
        ("retrain:\n  data_timeout: soon\n", "mlci.yaml:8: retrain.data_timeout:"),
    ],
)
def test_a_bad_value_is_refused_at_its_line(tmp_path: Path, section: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_of(tmp_path, MODELS + section)
    assert message in str(caught.value)


def test_a_model_s_own_watch_must_name_one_of_its_metrics(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config_of(tmp_path, MODELS + "    monitor:\n      performance: [r2]\n")
    assert "mlci.yaml:8: models.iris.monitor.performance.r2: the model does not list the metric 'r2'" in str(
        caught.value
    )


def test_promote_mode_is_taken_once_unreviewed_promotion_is_allowed(tmp_path: Path) -> None:
    config = config_of(tmp_path, MODELS + "retrain:\n  mode: promote\n  allow_unreviewed: true\n  data: make data\n")
    assert config.retrain == RetrainSpec(mode="promote", allow_unreviewed=True, data="make data")
