"""mlci.yaml errors name the file, the line and the field, and never show a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.config import find_config, load_config
from mlci.errors import ConfigError

pytestmark = pytest.mark.integration

GOOD = """\
version: 1
models:
  iris:
    data:
      train: data/iris.csv
      target: species
      split: {test_size: 0.3, seed: 4}
    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {C: 1.0, max_iter: 500}
    metrics: [accuracy, f1_macro]
    gates:
      accuracy: {min: 0.9, max_drop: 2%}
  churn:
    command: python train.py --out out/
    outputs:
      metrics: out/metrics.json
      model: out/model.skops
    metrics:
      - {name: auc, goal: maximize}
      - latency_ms
    gates:
      latency_ms: {max: 50}
    deps: [train.py, features/]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mlci.yaml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return str(caught.value)


def test_a_full_config_is_read_with_paths_resolved_against_its_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    iris, churn = config.models["iris"], config.models["churn"]
    assert iris.mode == "declarative" and churn.mode == "command"
    assert iris.data.train == tmp_path.resolve() / "data/iris.csv"
    assert iris.data.split.test_size == 0.3 and iris.data.split.seed == 4
    assert iris.estimator.params == {"C": 1.0, "max_iter": 500}
    gate = iris.gates[0]
    assert (gate.min, gate.max_drop, gate.max_drop_is_percent) == (0.9, 2.0, True)
    assert [(m.name, m.goal) for m in churn.metrics] == [("auc", "maximize"), ("latency_ms", "minimize")]
    assert churn.command.metrics_file == tmp_path.resolve() / "out/metrics.json"
    assert churn.deps == (tmp_path.resolve() / "train.py", tmp_path.resolve() / "features")


def test_config_hash_changes_with_params_only(tmp_path: Path) -> None:
    first = load_config(write(tmp_path, GOOD)).models
    second = load_config(write(tmp_path, GOOD.replace("C: 1.0", "C: 2.0"))).models
    assert first["iris"].config_hash != second["iris"].config_hash
    assert first["churn"].config_hash == second["churn"].config_hash


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      class: sklearn",
            "      clas: sklearn",
            "mlci.yaml:9: models.iris.estimator.clas: unknown key (did you mean `class`?)",
        ),
        (
            "    metrics: [accuracy, f1_macro]",
            "    metric: [accuracy]",
            "models.iris.metric: unknown key (did you mean `metrics`?)",
        ),
        (
            "test_size: 0.3",
            "test_size: 1.5",
            "mlci.yaml:7: models.iris.data.split.test_size: a fraction must be between 0 and 1",
        ),
        ("seed: 4", "seed: four", "models.iris.data.split.seed: must be a whole number, not text 'four'"),
        ("min: 0.9", "min: high", "mlci.yaml:13: models.iris.gates.accuracy.min: must be a finite number"),
        ("max_drop: 2%", "max_drop: lots", "models.iris.gates.accuracy.max_drop: must be a number or a percentage"),
        (
            "      accuracy: {min",
            "      acuracy: {min",
            "models.iris.gates.acuracy: gate for a metric the model does not list (did you mean `accuracy`?)",
        ),
        (
            "      - latency_ms",
            "      - throughput",
            "mlci.yaml:21: models.churn.metrics[1]: metric 'throughput' needs a goal",
        ),
        ("  churn:", "  Churn!:", "models.Churn!: model names use lowercase letters"),
        ("version: 1", "version: 2", "mlci.yaml:1: version: unsupported version 2"),
        (
            "    command: python",
            "    entrypoint: pkg:f\n    command: python",
            "needs exactly one of `estimator`, `entrypoint` or `command`",
        ),
        ("      target: species\n", "", "models.iris.data: missing required key `target`"),
    ],
)
def test_bad_fields_name_file_line_and_field(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    assert expected in error_of(tmp_path, GOOD.replace(old, new, 1))


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "version: 1\nmodels:\n  iris: {data: [\n")
    assert "mlci.yaml:4: not valid YAML" in message


def test_duplicate_keys_are_errors_not_silently_merged(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, GOOD.replace("    metrics: [accuracy, f1_macro]", "    metrics: [accuracy]\n    metrics: [f1_macro]")
    )
    assert "mlci.yaml:12: models.iris.metrics: key appears twice" in message


def test_yaml_tags_that_build_python_objects_are_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, "version: 1\nmodels: !!python/object/apply:os.system ['true']\n")
    assert "not valid YAML" in message


def test_oversized_config_is_refused_before_parsing(tmp_path: Path) -> None:
    message = error_of(tmp_path, "# " + "x" * (1024 * 1024) + "\n")
    assert "the limit for a config file is" in message


def test_config_is_found_in_a_parent_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, GOOD)
    nested = tmp_path / "src" / "deep"
    nested.mkdir(parents=True)
    assert find_config(start=nested) == tmp_path.resolve() / "mlci.yaml"
    monkeypatch.setenv("MLCI_CONFIG", "elsewhere.yaml")
    assert find_config(start=nested) == Path("elsewhere.yaml")


def test_cli_reports_config_errors_with_exit_code_2_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GOOD.replace("      class: sklearn", "      clas: sklearn"))
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 2
    assert "mlci: error: mlci.yaml:9: models.iris.estimator.clas: unknown key" in result.output
    assert "Traceback" not in result.output


def test_cli_without_any_config_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "no mlci.yaml found" in result.output and "mlci init" in result.output
    missing = CliRunner().invoke(cli, ["--config", "nope.yaml", "validate"])
    assert missing.exit_code == 2 and "nope.yaml: no such file" in missing.output


def test_noise_settings_and_significant_gates_are_validated(tmp_path) -> None:
    from mlci.config.parse import parse_config
    from mlci.config.yamlsource import parse_yaml
    from mlci.errors import ConfigError

    base = (
        "version: 1\nmodels:\n  m:\n    data: {train: d.csv, target: y}\n"
        "    estimator: {class: sklearn.linear_model.LogisticRegression}\n    metrics: [accuracy]\n"
    )
    path = tmp_path / "mlci.yaml"
    good = parse_config(
        parse_yaml(base + "    gates: {accuracy: {max_drop: 0.02, significant: true}}\nnoise: {resamples: 200}\n", path)
    )
    assert good.models["m"].gates[0].significant is True and good.noise.resamples == 200
    for extra, message in [
        ("    gates: {accuracy: {min: 0.5, significant: true}}\n", "applies to max_drop"),
        ("noise: {confidence: 1.5}\n", "must be at least 0.5 and below 1"),
        ("noise: {resamples: -1}\n", "between 0"),
        ("noise: {resample: 10}\n", "did you mean `resamples`"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_config(parse_yaml(base + extra, path))


def test_a_time_limit_and_the_variables_passed_on_are_read(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    deps: [train.py, features/]",
        "    deps: [train.py, features/]\n    timeout: 1h30m\n    pass_env: [WANDB_API_KEY, GITHUB_TOKEN]",
    )
    config = load_config(write(tmp_path, text + "promote: {triggers: {command: ./deploy.sh, command_timeout: 10m}}\n"))
    churn, iris = config.models["churn"], config.models["iris"]
    assert churn.timeout == 5400 and churn.pass_env == ("WANDB_API_KEY", "GITHUB_TOKEN")
    assert iris.timeout is None and iris.pass_env == ()
    assert config.promote.triggers.command_timeout == 600
    assert load_config(write(tmp_path, GOOD)).promote.triggers.command_timeout == 1800


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("timeout: soon", "mlci.yaml:25: models.churn.timeout: must be a duration like 90s, 30m, 2h or 1h30m"),
        ("timeout: 0", "models.churn.timeout: must be longer than nothing"),
        ("timeout: -30", "models.churn.timeout: must be longer than nothing"),
        ("pass_env: {GITHUB_TOKEN: abc}", "models.churn.pass_env: lists the names of variables to pass on, never"),
        ("pass_env: [my-var]", "models.churn.pass_env[0]: 'my-var' is not an environment variable name"),
        ("pass_env: 42", "models.churn.pass_env: must be a list"),
    ],
)
def test_bad_time_limits_and_variables_name_their_line(tmp_path: Path, setting: str, expected: str) -> None:
    assert expected in error_of(tmp_path, GOOD + f"    {setting}\n")


def test_a_command_model_lists_its_parameter_files_whole_or_by_key(tmp_path: Path) -> None:
    text = GOOD + "    params: [params.yaml, {./conf/train.toml: [train.lr, model]}, {extra.json: }]\n"
    churn = load_config(write(tmp_path, text)).models["churn"]
    assert [(spec.name, spec.keys) for spec in churn.params] == [
        ("params.yaml", None),
        ("conf/train.toml", ("train.lr", "model")),
        ("extra.json", None),
    ]
    assert churn.params[1].path == (tmp_path / "conf" / "train.toml").resolve()
    assert load_config(write(tmp_path, GOOD)).models["iris"].params == ()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("params: [train.lr]", "models.churn.params[0]: 'train.lr' is not a parameter file mlci can read: name it"),
        ("params: [p.yaml, ./p.yaml]", "models.churn.params[1]: 'p.yaml' is listed twice"),
        ("params: [{a.yaml: [x], b.yaml: [y]}]", "models.churn.params[0]: names one file and the keys to record"),
        ("params: [../outside.yaml]", "outside the project"),
    ],
)
def test_bad_parameter_files_name_their_line(tmp_path: Path, setting: str, expected: str) -> None:
    (tmp_path / ".git").mkdir()
    assert expected in error_of(tmp_path, GOOD + f"    {setting}\n")


def test_parameter_files_are_for_command_models(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    metrics: [accuracy, f1_macro]\n", "    metrics: [accuracy, f1_macro]\n    params: [p.yaml]\n"
    )
    assert "models.iris.params: lists the parameter files a `command:` model reads" in error_of(tmp_path, text)


def test_a_metric_kind_names_the_known_metric_and_gives_its_goal(tmp_path: Path) -> None:
    text = GOOD.replace("      - latency_ms\n", "      - latency_ms\n      - {name: Test Loss, kind: RMSE}\n")
    metrics = {m.name: m for m in load_config(write(tmp_path, text)).models["churn"].metrics}
    assert (metrics["Test Loss"].kind, metrics["Test Loss"].goal) == ("RMSE", "minimize")
    assert metrics["auc"].kind is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            "{name: score, kind: acuracy}",
            "kind: 'acuracy' is not a metric mlci computes from predictions (did you mean",
        ),
        (
            "{name: score, kind: rmse, goal: maximize}",
            "kind: rmse contradicts goal maximize: for rmse, lower is better",
        ),
    ],
)
def test_a_bad_metric_kind_names_its_line(tmp_path: Path, item: str, expected: str) -> None:
    text = GOOD.replace("      - latency_ms\n", f"      - latency_ms\n      - {item}\n")
    assert expected in error_of(tmp_path, text)


def test_a_metric_kind_is_for_command_models(tmp_path: Path) -> None:
    text = GOOD.replace("metrics: [accuracy, f1_macro]", "metrics: [{name: accuracy, kind: accuracy}]")
    assert "models.iris.metrics[0].kind: is for command models" in error_of(tmp_path, text)


def test_a_variable_given_with_its_value_is_refused_without_repeating_the_value(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD + "    pass_env: [WANDB_API_KEY=s3cr3t-value]\n")
    assert "models.churn.pass_env[0]: an assignment (NAME=value) is not an environment variable name" in message
    assert "s3cr3t" not in message


def test_promotion_on_push_and_what_a_challenger_must_show_are_read_with_their_defaults(tmp_path: Path) -> None:
    default = load_config(write(tmp_path, GOOD)).promote
    assert default.auto is True and default.require == "significant"
    set_ = load_config(write(tmp_path, GOOD + "promote: {auto: false, require: better}\n")).promote
    assert set_.auto is False and set_.require == "better"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("{auto: no-thanks}", "mlci.yaml:25: promote.auto: must be true or false, not 'no-thanks'"),
        ("{require: sometimes}", "mlci.yaml:25: promote.require: must be significant or better, not 'sometimes'"),
        ("{requires: better}", "did you mean `require`"),
    ],
)
def test_bad_promotion_settings_name_their_line(tmp_path: Path, setting: str, expected: str) -> None:
    assert expected in error_of(tmp_path, GOOD + f"promote: {setting}\n")


def test_a_bad_deploy_command_time_limit_names_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD + "promote: {triggers: {command: ./deploy.sh, command_timeout: forever}}\n")
    assert "mlci.yaml:25: promote.triggers.command_timeout: must be a duration" in message


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("/dev/zero", "mlci: error: /dev/zero: is not a regular file"),
        (".", "mlci: error: .: is a directory"),
        ("pipe.yaml", "mlci: error: pipe.yaml: is not a regular file"),
    ],
)
def test_a_config_that_is_no_regular_file_is_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    result = CliRunner().invoke(cli, ["--config", config, "validate"])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_an_alias_bomb_in_the_config_exits_2_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
        levels.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    write(tmp_path, "\n".join(levels) + "\nversion: 1\nmodels: {}\n")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2 and "mlci: error: mlci.yaml:4: YAML aliases repeat more than" in result.output


@pytest.mark.parametrize("name", ['"auc\\n::error::forged"', '"auc\\u202eevil"', '"auc\\x1b[2J"', '"auc\\t1"'])
def test_metric_names_with_invisible_or_line_breaking_characters_are_refused(tmp_path: Path, name: str) -> None:
    message = error_of(tmp_path, GOOD.replace("      - {name: auc, goal: maximize}", f"      - {{name: {name}}}"))
    assert "mlci.yaml:20: models.churn.metrics[0].name: metric name" in message
    assert "line break, control, bidi or other invisible character" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("seed: 4", "seed: -1", "models.iris.data.split.seed: must be between 0 and 4294967295 (2**32 - 1), not -1"),
        ("seed: 4", "seed: 4294967296", "models.iris.data.split.seed: must be between 0 and 4294967295"),
    ],
)
def test_split_seeds_training_would_refuse_are_refused_here(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in error_of(tmp_path, GOOD.replace(old, new, 1))


def test_resamples_and_the_noise_seed_are_bounded(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, GOOD + "noise: {resamples: 5000, seed: 3}\n")).noise.resamples == 5000
    message = error_of(tmp_path, GOOD + "noise: {resamples: 100000}\n")
    assert "noise.resamples: must be between 0 (no bootstrap) and 5000, not 100000" in message
    assert "noise.seed: must be between 0" in error_of(tmp_path, GOOD + "noise: {seed: -5}\n")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("      model: out/model.skops", "      model: ../../elsewhere/model.skops", "models.churn.outputs.model"),
        ("      metrics: out/metrics.json", "      metrics: /tmp/metrics.json", "models.churn.outputs.metrics"),
        ("    deps: [train.py, features/]", "    deps: [train.py, ../../../etc]", "models.churn.deps[1]"),
        ("version: 1\n", "version: 1\nreport: {template: /etc/passwd}\n", "report.template"),
        ("      model: out/model.skops", "      plots: [plot.png, '/tmp/*.png']", "models.churn.outputs.plots"),
        ("      model: out/model.skops", "      plots: '../../../*/x.png'", "models.churn.outputs.plots"),
    ],
)
def test_paths_mlci_reads_or_keeps_must_stay_inside_the_project(tmp_path: Path, old: str, new: str, field: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    message = error_of(project, GOOD.replace(old, new, 1))
    assert f": {field}: " in message and "outside the project" in message, message


def test_a_link_out_of_the_project_is_refused_where_the_config_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "ci").mkdir(parents=True)
    monkeypatch.chdir(project)
    (project / "ci" / "report.md.j2").symlink_to("/etc/passwd")
    message = error_of(project, GOOD + "report: {template: ci/report.md.j2}\n")
    assert "report.template: ci/report.md.j2 is a link to /etc/passwd, outside the project" in message


def test_the_project_is_the_repository_so_a_config_in_a_subfolder_may_use_its_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ml").mkdir()
    config = load_config(write(tmp_path / "ml", GOOD.replace("deps: [train.py, features/]", "deps: [../shared/]")))
    assert config.models["churn"].deps == (tmp_path.resolve() / "shared",)


def test_data_may_live_outside_the_project_since_it_is_only_read(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = load_config(write(project, GOOD.replace("train: data/iris.csv", "train: /mnt/datasets/iris.csv")))
    assert config.models["iris"].data.train == Path("/mnt/datasets/iris.csv")


def test_what_record_may_find_changed_is_read_and_kept_inside_the_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD + "record:\n  ignore_changes: [dvc.lock, reports/*.png]\n"))
    assert config.record.ignore_changes == ("dvc.lock", "reports/*.png")
    assert config.ignored_changes == ("/.mlci", "dvc.lock", "reports/*.png")
    message = error_of(tmp_path, GOOD + "record: {ignore_changes: [../other/dvc.lock]}\n")
    assert "record.ignore_changes[0]: '../other/dvc.lock' leaves mlci.yaml's folder" in message
    message = error_of(tmp_path, GOOD + "record: {ignore_changes: ['!dvc.lock']}\n")
    assert "negated patterns are not supported" in message


def test_header_false_is_read_and_must_be_true_or_false(tmp_path: Path) -> None:
    headerless = GOOD.replace("      target: species\n", "      target: col_4\n      header: false\n")
    assert load_config(write(tmp_path, headerless)).models["iris"].data.header is False
    assert load_config(write(tmp_path, GOOD)).models["iris"].data.header is True
    message = error_of(tmp_path, headerless.replace("header: false", "header: none"))
    assert "models.iris.data.header: must be true or false, not 'none'" in message


def test_pictures_are_a_file_a_list_or_a_glob_that_may_not_climb_out(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD.replace("      model: out/model.skops", "      plots: plot.png", 1)))
    assert config.models["churn"].command.plots == ("plot.png",)
    config = load_config(
        write(tmp_path, GOOD.replace("      model: out/model.skops", "      plots: [a.png, 'p/*.svg']"))
    )
    assert config.models["churn"].command.plots == ("a.png", "p/*.svg")
    message = error_of(tmp_path, GOOD.replace("      model: out/model.skops", "      plots: ['p/*/../../x.png']", 1))
    assert "models.churn.outputs.plots: 'p/*/../../x.png': a pattern may not climb out of a folder with `..`" in message


@pytest.mark.parametrize("alias", ["latest", "Latest", "v1", "V12"])
def test_alias_names_mlflow_reserves_are_refused(tmp_path: Path, alias: str) -> None:
    message = error_of(tmp_path, GOOD + f"promote: {{alias: {alias}}}\n")
    assert f"promote.alias: '{alias}' is an alias name MLflow reserves" in message


def test_the_mlflow_section_and_a_command_that_logs_to_mlflow(tmp_path: Path) -> None:
    text = GOOD.replace("      metrics: out/metrics.json\n", "      mlflow: true\n")
    config = load_config(
        write(tmp_path, text + "mlflow: {tracking_uri: 'https://mlflow.example.com/', experiment: 'team/{model}'}\n")
    )
    assert config.mlflow.tracking_uri == "https://mlflow.example.com"
    assert config.mlflow.experiment == "team/{model}"
    command = config.models["churn"].command
    assert command is not None and command.mlflow and command.metrics_file is None
    assert load_config(write(tmp_path, GOOD)).mlflow.tracking_uri is None


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("mlflow: {tracking_uri: 'sqlite:///mlflow.db'}", "is not the URL of an MLflow tracking server"),
        ("mlflow: {tracking_uri: 'https://user:secret@mlflow.example.com'}", "no credentials"),
        ("mlflow: {experiment: 'mlci/{name}'}", "mlflow.experiment: 'mlci/{name}': the only placeholder is `{model}`"),
        ("mlflow: {experment: x}", "unknown key (did you mean `experiment`?)"),
    ],
)
def test_bad_mlflow_settings_are_refused(tmp_path: Path, section: str, expected: str) -> None:
    assert expected in error_of(tmp_path, GOOD + section + "\n")


def test_a_command_model_needs_a_metrics_file_unless_it_logs_to_mlflow(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("      metrics: out/metrics.json\n", ""))
    assert "models.churn.outputs: missing required key `metrics`" in message
    assert "outputs: {mlflow: true}" in message
