"""`report.template`: the user's own template, in the same sandbox, with errors that name file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlci.errors import ConfigError
from mlci.report import render_markdown
from tests.compare.factories import IRIS_CONFIG, make_config
from tests.report.helpers import failing, passing


def with_template(tmp_path: Path, text: str, *, name: str = "custom.md.j2"):
    folder = tmp_path / "ci"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    config = make_config(tmp_path, IRIS_CONFIG + f"report:\n  template: ci/{name}\n")
    return passing(tmp_path, config)


def render_error(tmp_path: Path, text: str) -> str:
    config, comparison = with_template(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        render_markdown(comparison, config=config)
    return str(caught.value)


def test_a_user_template_gets_the_documented_context(tmp_path: Path) -> None:
    config, comparison = with_template(
        tmp_path,
        (
            "# {{ title }}: {{ verdict.headline }}\n"
            "{% for model in models %}- {{ model.name | escape }} {{ model.status }} "
            "{{ model.metrics[0].change_text }}\n{% endfor %}"
            "schema {{ comparison.schema_version }}, passed {{ comparison.passed }}\n"
        ),
    )
    text = render_markdown(comparison, config=config)
    assert text.splitlines() == [
        "<!-- mlci-report:default -->",
        "# mlci report: All gates passed",
        "- iris improved +0.0200 (+2.2%)",
        "- churn unchanged ±0",
        "schema 1, passed True",
    ]


def test_the_marker_is_not_doubled_when_the_template_writes_it(tmp_path: Path) -> None:
    config, comparison = with_template(tmp_path, "{{ marker }}\nhello\n")
    text = render_markdown(comparison, config=config, identity="x")
    assert text == "<!-- mlci-report:x -->\nhello\n"


def test_a_user_template_can_include_the_default_partial(tmp_path: Path) -> None:
    config, comparison = with_template(
        tmp_path, "{% for model in models %}{% include 'partials/model.md.j2' %}{% endfor %}"
    )
    assert "| accuracy ↑ | 0.9300 | 0.9500 | 🟢 +0.0200 (+2.2%) |" in render_markdown(comparison, config=config)


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",
        "''.__class__.__mro__[1].__subclasses__()",
        "lipsum.__globals__",
        "models.append(1)",
        "comparison.clear()",
    ],
)
def test_the_sandbox_stops_escapes(tmp_path: Path, expression: str) -> None:
    message = render_error(tmp_path, f"line one\n{{{{ {expression} }}}}\n")
    assert "custom.md.j2:2:" in message and "sandbox" in message


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    message = render_error(tmp_path, "fine\nalso fine\n{% for model in %}\n{% endfor %}\n")
    assert "custom.md.j2:3: report template syntax error" in message


def test_an_undefined_name_names_file_and_line(tmp_path: Path) -> None:
    message = render_error(tmp_path, "{{ title }}\n{{ modles }}\n")
    assert "custom.md.j2:2:" in message and "'modles' is undefined" in message
    assert "models" in message  # the hint lists what the template does get


def test_a_runtime_error_in_the_template_is_a_config_error(tmp_path: Path) -> None:
    message = render_error(tmp_path, "{{ 1 / 0 }}\n")
    assert "custom.md.j2:1:" in message and "ZeroDivisionError" in message


def test_a_missing_template_names_the_config_field(tmp_path: Path) -> None:
    config = make_config(tmp_path, IRIS_CONFIG + "report:\n  template: ci/nowhere.md.j2\n")
    _, comparison = failing(tmp_path)
    with pytest.raises(ConfigError) as caught:
        render_markdown(comparison, config=config)
    message = str(caught.value)
    assert "mlci.yaml:" in message and "report.template" in message and "nowhere.md.j2 does not exist" in message


def test_a_template_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    config, comparison = with_template(tmp_path, "")
    (tmp_path / "ci" / "custom.md.j2").write_bytes(b"\xff\xfe{{ title }}")
    with pytest.raises(ConfigError, match="not UTF-8"):
        render_markdown(comparison, config=config)


def test_an_include_that_links_out_of_the_project_is_refused(tmp_path: Path) -> None:
    config, comparison = with_template(tmp_path, "{% include 'secrets.j2' %}\n")
    (tmp_path / "ci" / "secrets.j2").symlink_to("/etc/passwd")
    with pytest.raises(ConfigError) as caught:
        render_markdown(comparison, config=config)
    assert "secrets.j2 is a link to /etc/passwd, outside the project" in caught.value.message


def test_an_include_that_is_no_regular_file_is_refused_without_reading(tmp_path: Path) -> None:
    config, comparison = with_template(tmp_path, "{% include 'pipe.j2' %}\n")
    os.mkfifo(tmp_path / "ci" / "pipe.j2")
    with pytest.raises(ConfigError, match=r"pipe\.j2: is not a regular file"):
        render_markdown(comparison, config=config)
