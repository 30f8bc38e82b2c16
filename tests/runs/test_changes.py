"""Why a model is trained again, told by the config entry the user wrote."""

from __future__ import annotations

from pathlib import Path

from mlci.config import load_config
from mlci.runs import Run
from mlci.runs.changes import why_changed
from mlci.runs.lineage import current_inputs

CONFIG = """\
version: 1
models:
  churn:
    command: python train.py
    outputs: {metrics: out.json}
    metrics: [auc]
    deps: [train.py, features/]
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "scale.py").write_text("FACTOR = 2\n")
    (tmp_path / "train.py").write_text("print('train')\n")
    (tmp_path / "mlci.yaml").write_text(CONFIG)
    return tmp_path


def recorded(tmp_path: Path) -> Run:
    """The run the base recorded: the lineage of the project as it is now."""
    config = load_config(tmp_path / "mlci.yaml")
    model = config.models["churn"]
    now = current_inputs(config, model)
    lineage = {
        "config_hash": model.config_hash,
        "fingerprints": now.fingerprints,
        "libraries": now.libraries,
        "model_fingerprint": now.model_fingerprint,
    }
    return Run(model="churn", mode="command", metrics={"auc": 0.9}, goals={"auc": "maximize"}, lineage=lineage)


def reason(tmp_path: Path, base: Run | None, **changes: object) -> str | None:
    config = load_config(tmp_path / "mlci.yaml")
    model = config.models["churn"]
    now = current_inputs(config, model)
    if "libraries" in changes:
        now = type(now)(now.fingerprints, {**now.libraries, **changes["libraries"]}, "xxh3:other")  # type: ignore[dict-item]
    return why_changed(config, model, now, base)


def test_a_file_deep_in_a_deps_folder_is_told_by_the_folder(tmp_path: Path) -> None:
    base = recorded(project(tmp_path))
    assert reason(tmp_path, base) is None
    (tmp_path / "features" / "scale.py").write_text("FACTOR = 3\n")
    (tmp_path / "features" / "new.py").write_text("")
    assert reason(tmp_path, base) == "deps changed: features/"


def test_changed_libraries_say_from_which_version_to_which(tmp_path: Path) -> None:
    base = recorded(project(tmp_path))
    base.lineage["libraries"]["scikit-learn"] = "1.8.0"
    assert (
        reason(tmp_path, base, libraries={"scikit-learn": "1.9.1"}) == "libraries changed: scikit-learn 1.8.0 -> 1.9.1"
    )


def test_config_and_code_changed_give_both_reasons(tmp_path: Path) -> None:
    base = recorded(project(tmp_path))
    (tmp_path / "mlci.yaml").write_text(CONFIG.replace("[auc]", "[auc, {name: loss, goal: minimize}]"))
    (tmp_path / "train.py").write_text("print('faster')\n")
    assert reason(tmp_path, base) == "config changed; deps changed: train.py"


def test_a_model_without_deps_is_always_trained(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "mlci.yaml").write_text(CONFIG.replace("    deps: [train.py, features/]\n", ""))
    assert reason(tmp_path, None) == "always trained: mlci cannot see its code (list it under deps)"
