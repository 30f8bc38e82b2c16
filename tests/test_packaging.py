"""What `pip install .` ships: every package, and the templates from the top-level `templates/` folder
inside the package, found by an installed wheel as they are found in the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_COMPARISON = ROOT / "examples" / "report" / "comparison.json"


def test_the_package_list_names_every_package_of_the_source_tree() -> None:
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "mlci").rglob("__init__.py")}
    assert (ROOT / "templates" / "__init__.py").is_file()
    assert sorted(listed) == sorted(on_disk | {"mlci.templates"})


@pytest.mark.integration
def test_a_wheel_installed_in_a_fresh_environment_renders_a_report_and_writes_a_config(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, ROOT],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = wheels.glob("mlci-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True
        ).stdout.strip()
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # mlci's dependencies from this environment, after the fresh one's own packages: not its .pth
    # files, so the editable install of the source tree stays out.
    (site / "zz-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    rendered = subprocess.run(
        [
            python,
            "-c",
            "import sys, mlci, mlci.templates\n"
            "from importlib import resources\n"
            "shipped = resources.files('mlci.templates')\n"
            "assert all(shipped.joinpath(name).is_file() for name in ('comparison.schema.json', 'monitor.schema.json',"
            " 'README.md', 'partials/model.md.j2', 'init/mlci.yml'))\n"
            "from mlci.compare.decode import comparison_from_text\n"
            "from mlci.report.markdown import render_default_markdown\n"
            "print(mlci.__file__)\n"
            "print(mlci.templates.__file__)\n"
            "text = open(sys.argv[1], encoding='utf-8').read()\n"
            "print(render_default_markdown(comparison_from_text(text, where=sys.argv[1])))\n",
            EXAMPLE_COMPARISON,
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )

    assert rendered.returncode == 0, rendered.stderr
    package_file, templates_file, report = rendered.stdout.split("\n", 2)
    assert Path(package_file).is_relative_to(site) and Path(templates_file).is_relative_to(site)
    assert report.startswith("<!-- mlci-report:default -->\n## mlci report\n")
    assert "| Metric | base | PR | Change |" in report

    project = tmp_path / "project"
    project.mkdir()
    (project / "data.csv").write_text("x,label\n" + "".join(f"{i},{i % 2}\n" for i in range(40)))
    init = subprocess.run(
        [python, "-m", "mlci", "init"], capture_output=True, text=True, env=environment, cwd=project, timeout=120
    )
    assert init.returncode == 0, init.stderr
    assert (project / ".github" / "workflows" / "mlci.yml").read_text() != ""
    assert "version: 1" in (project / "mlci.yaml").read_text()
