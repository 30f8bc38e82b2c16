"""The `mlci` command line. Commands only parse options and dispatch; the work lives in modules
imported inside each command, so `mlci --help` starts without loading pandas or scikit-learn."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from mlci import __version__
from mlci.errors import MlciError

EXIT_GATE_FAILED = 1


@dataclass
class Context:
    """Options shared by every command."""

    config_option: str | None
    verbosity: int

    @property
    def console(self):
        from mlci.console import Console

        return Console(verbosity=self.verbosity)

    def config(self):
        from mlci.config import find_config, load_config

        return load_config(find_config(self.config_option))

    def registry(self, config=None):
        from mlci.registry.registry import RegistryView
        from mlci.store import open_storage

        return RegistryView(open_storage(config or self.config(), console=self.console))


pass_context = click.make_pass_decorator(Context)


class MlciGroup(click.Group):
    """Turns every `MlciError` into its message and exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MlciError as exc:
            click.echo(f"mlci: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("mlci: interrupted", err=True)
            sys.exit(130)


@click.group(cls=MlciGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mlci")
@click.option(
    "--config",
    "config_option",
    metavar="PATH",
    envvar="MLCI_CONFIG",
    help="The config file (default: mlci.yaml here or in a parent folder; env MLCI_CONFIG).",
)
@click.option("-v", "--verbose", count=True, help="Say more about each step.")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors.")
@click.pass_context
def cli(ctx: click.Context, config_option: str | None, verbose: int, quiet: bool) -> None:
    """CI/CD for machine learning: train models, compare them with main, report on the pull
    request, record baselines.

    \b
    Start here:
      mlci demo            the whole loop on a bundled dataset, no GitHub needed
      mlci init            write a starter mlci.yaml and GitHub workflow
    """
    ctx.obj = Context(config_option=config_option, verbosity=-1 if quiet else verbose)


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder.",
)
@pass_context
def init(ctx: Context, force: bool, directory: Path) -> None:
    """Write a starter mlci.yaml and .github/workflows/mlci.yml.

    Detects CSV and Parquet files in the project and a likely target column.

    \b
    Example:
      mlci init && mlci validate
    """
    from mlci.scaffold import init_project

    for path in init_project(directory, force=force, console=ctx.console):
        click.echo(f"wrote {path}")


@cli.command()
@pass_context
def validate(ctx: Context) -> None:
    """Check the config, the data files and their columns, without training.

    \b
    Example:
      mlci validate --config ml/mlci.yaml
    """
    from mlci.validate import validate_project

    config = ctx.config()
    validate_project(config, console=ctx.console)
    click.echo(f"{config.path.name}: OK ({len(config.models)} model{'s' if len(config.models) != 1 else ''})")


@cli.command()
@click.argument("models", nargs=-1)
@click.option("--force", is_flag=True, help="Train even models whose inputs did not change.")
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    help="Also take over the runs recorded for REF when a model is unchanged since then.",
)
@pass_context
def train(ctx: Context, models: tuple[str, ...], force: bool, base_ref: str | None) -> None:
    """Train MODELS (default: env MLCI_MODELS, else all) and keep each run under .mlci/runs/.

    A model whose config section, data, deps and library versions are unchanged since its last run
    (or since the run recorded for --base) is not trained again; --force trains it anyway.

    \b
    Example:
      mlci train            # every model in mlci.yaml
      mlci train iris       # just one
    """
    from mlci.training import train_models

    config = ctx.config()
    from mlci.baseline import recorded_base

    base = recorded_base(config, base_ref, console=ctx.console) if base_ref and not force else None
    for result in train_models(config, _chosen_models(models), console=ctx.console, force=force, base=base):
        summary = ", ".join(f"{k}={v:.4g}" for k, v in result.run.metrics.items())
        click.echo(f"{result.run.model}: {summary}")


@cli.command()
@click.option("--replace", is_flag=True, help="Replace a record that already exists for this commit.")
@click.option("--allow-dirty", is_flag=True, help="Record even with uncommitted changes to tracked files.")
@pass_context
def record(ctx: Context, replace: bool, allow_dirty: bool) -> None:
    """Store this commit's runs as its baseline, for later comparisons.

    Runs must have been trained at the current commit, on a clean working tree.

    \b
    Example:
      mlci train && mlci record
    """
    from mlci.record import record_current_runs

    outcome = record_current_runs(ctx.config(), replace=replace, allow_dirty=allow_dirty, console=ctx.console)
    if outcome.written:
        click.echo(f"recorded {', '.join(outcome.models)} for {outcome.commit[:12]}")
    else:
        click.echo(f"{outcome.commit[:12]} already recorded; kept it (use --replace to overwrite)")


FORMATS = click.Choice(["text", "markdown", "json"])


@cli.command()
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    envvar="MLCI_BASE",
    help="Branch, tag or commit to compare with (default: a pull request's base, else the main branch).",
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write it to a file.")
@click.option(
    "--json-output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the comparison as JSON here (in Actions: default $RUNNER_TEMP/mlci/comparison.json).",
)
@click.option(
    "--fail-on-regression/--no-fail-on-regression",
    envvar="MLCI_FAIL_ON_REGRESSION",
    default=True,
    show_default=True,
    help="Exit 1 when a gate fails (env MLCI_FAIL_ON_REGRESSION).",
)
@pass_context
def compare(
    ctx: Context,
    base_ref: str | None,
    output_format: str,
    output: Path | None,
    json_output: Path | None,
    fail_on_regression: bool,
) -> None:
    """Compare this checkout's runs with the runs recorded for the base.

    Exits 1 when a gate fails. The JSON format is a stable schema (see `schema_version`).

    \b
    Example:
      mlci compare --base main --format markdown
    """
    from mlci.compare.with_base import compare_with_base
    from mlci.report import render
    from mlci.run import event_base

    config = ctx.config()
    base, label = (base_ref, None) if base_ref else event_base(config, os.environ, console=ctx.console)
    comparison = compare_with_base(config, base, console=ctx.console, base_label=label)
    _emit(render(comparison, output_format, config=config, color=output is None and _stdout_wants_color()), output)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        runner_temp = os.environ.get("RUNNER_TEMP")
        json_output = json_output or (Path(runner_temp) / "mlci" / "comparison.json" if runner_temp else None)
    if json_output:
        _emit(render(comparison, "json", config=config), json_output)
    if os.environ.get("GITHUB_OUTPUT"):
        from mlci.github.actions_io import write_outputs

        comparison_file = str(json_output.resolve()) if json_output else ""
        write_outputs(os.environ["GITHUB_OUTPUT"], {"passed": comparison.passed, "comparison-file": comparison_file})
    sys.exit(0 if comparison.passed or not fail_on_regression else EXIT_GATE_FAILED)


def github_options(function):
    """Options shared by `report` and `run`, each with the environment variable the actions set."""
    options = [
        click.option(
            "--identity",
            envvar="MLCI_REPORT_ID",
            default="default",
            show_default=True,
            metavar="NAME",
            help="Which report this is: one PR comment per identity (env MLCI_REPORT_ID).",
        ),
        click.option(
            "--fail-on-regression/--no-fail-on-regression",
            envvar="MLCI_FAIL_ON_REGRESSION",
            default=True,
            show_default=True,
            help="Exit 1 when a gate fails (env MLCI_FAIL_ON_REGRESSION).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    envvar="MLCI_BASE",
    help="Branch, tag or commit to compare with (default: a pull request's base, else the main branch).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown report here (default: print it; in Actions also $RUNNER_TEMP/mlci/).",
)
@click.option("--post", is_flag=True, help="Create or update the report comment on the pull request.")
@click.option("--summary", is_flag=True, help="Append the report to the job summary (GITHUB_STEP_SUMMARY).")
@click.option("--status", is_flag=True, help="Set a commit status `mlci/<identity>` with the verdict.")
@click.option(
    "--first-run-ok",
    is_flag=True,
    envvar="MLCI_FIRST_RUN_OK",
    help="With nothing recorded for the base yet, report every model as new instead of failing.",
)
@github_options
@pass_context
def report(
    ctx: Context,
    base_ref: str | None,
    output: Path | None,
    post: bool,
    summary: bool,
    status: bool,
    first_run_ok: bool,
    identity: str,
    fail_on_regression: bool,
) -> None:
    """Render the Markdown report of the comparison with the base; post it on the pull request.

    Exits 1 when a gate fails (unless --no-fail-on-regression), after writing the report. A token
    that may not comment (pull requests from forks) gets a warning, not a failure.

    \b
    Example:
      mlci report --base main --output report.md
      mlci report --post --summary --status        # in GitHub Actions
    """
    from mlci.compare.with_base import compare_with_base
    from mlci.publish import PublishOptions, publish_report
    from mlci.run import event_base

    config = ctx.config()
    base, label = (base_ref, None) if base_ref else event_base(config, os.environ, console=ctx.console)
    comparison = compare_with_base(
        config, base, console=ctx.console, first_run_ok=first_run_ok, base_label=label, data_checks=True, rescore=True
    )
    if not (output or post or summary or status):
        from mlci.report import render

        _emit(render(comparison, "markdown", config=config), None)
    else:
        options = PublishOptions(identity=identity, output=output, post=post, summary=summary, status=status)
        published = publish_report(config, comparison, options, console=ctx.console)
        ctx.console.info(f"report written to {published.report_file}")
    sys.exit(0 if comparison.passed or not fail_on_regression else EXIT_GATE_FAILED)


@cli.command()
@click.argument("report_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pr", metavar="NUMBER", help="The pull request to comment on (env MLCI_PR_NUMBER).")
@click.option("--identity", envvar="MLCI_REPORT_ID", default="default", show_default=True, metavar="NAME")
@pass_context
def comment(ctx: Context, report_file: Path, pr: str | None, identity: str) -> None:
    """Post a report file rendered earlier as the pull request's report comment.

    For the fork-safe two-workflow pattern: runs nothing from the pull request, checks the file
    (inside the workspace, at most 1 MiB, text), the number, and in a workflow_run event that the
    pull request's head is the commit the report was made for.

    \b
    Example:
      mlci comment report/report.md --pr 42
    """
    from mlci.comment_file import post_report_file
    from mlci.publish import Published, write_report_outputs

    url = post_report_file(report_file, pr=pr, identity=identity, console=ctx.console)
    path = report_file.resolve()
    write_report_outputs(
        Published(passed=True, verdict="", report_file=path, comment_url=url, comment_file=None if url else path),
        os.environ,
    )


@cli.command(name="run")
@click.argument("models", nargs=-1)
@github_options
@pass_context
def run_command(ctx: Context, models: tuple[str, ...], identity: str, fail_on_regression: bool) -> None:
    """Do what the event of this GitHub Actions run calls for (what the one-line action runs).

    \b
    pull_request       train, compare with the PR's base, comment, summary, status
    push to main       train, record, summary, promote the winners
    workflow_dispatch  roll back when the `rollback` input names a model

    MODELS (default: env MLCI_MODELS, else all) limits which models are trained and promoted.

    \b
    Example:
      mlci run        # in a workflow step, after actions/checkout
    """
    from mlci.run import run_event

    code = run_event(
        ctx.config(),
        models=_chosen_models(models),
        identity=identity,
        fail_on_regression=fail_on_regression,
        console=ctx.console,
        environ=os.environ,
    )
    sys.exit(code)


@cli.command()
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo project here instead of a temporary folder.",
)
@pass_context
def demo(ctx: Context, directory: Path | None) -> None:
    """Run the whole loop on a bundled dataset in a throwaway Git repository.

    Trains on main, records the baseline, changes the model on a branch, trains again, compares
    and prints the report. Needs no GitHub and no network.

    \b
    Example:
      mlci demo --directory /tmp/mlci-demo
    """
    from mlci.demo import run_demo

    run_demo(directory, console=ctx.console)


@cli.command()
@click.argument("models", nargs=-1)
@click.option("--alias", metavar="NAME", help="The alias to move (default: promote.alias in mlci.yaml, production).")
@click.option("--force", is_flag=True, help="Move the alias even when the new version does not win.")
@click.option("--reason", metavar="TEXT", help="Why; required with --force, kept in the history.")
@pass_context
def promote(ctx: Context, models: tuple[str, ...], alias: str | None, force: bool, reason: str | None) -> None:
    """Register this commit's recorded MODELS (default: all) and move the alias to those that win.

    A version wins when it passes its gates against the current alias holder and is better on the
    model's first metric. The move is recorded in the history and fires the deploy triggers.

    \b
    Example:
      mlci train && mlci record && mlci promote
    """
    from mlci.announce import announce_promotions
    from mlci.promote import promote_models

    config = ctx.config()
    outcomes = promote_models(
        config, _chosen_models(models), alias=alias, force=force, reason=reason, console=ctx.console
    )
    announce_promotions(config, outcomes, console=ctx.console)


@cli.command()
@click.argument("model")
@click.option("--alias", metavar="NAME", help="The alias to move back (default: promote.alias, production).")
@click.option("--to", "to_version", type=click.IntRange(min=1), metavar="VERSION", help="Move it to this version.")
@click.option("--reason", metavar="TEXT", help="Why, kept in the history.")
@pass_context
def rollback(ctx: Context, model: str, alias: str | None, to_version: int | None, reason: str | None) -> None:
    """Move MODEL's alias back to the version that held it before (or --to VERSION).

    \b
    Example:
      mlci rollback churn --reason "latency regression in production"
    """
    from mlci.announce import announce_rollback
    from mlci.rollback import rollback_model

    config = ctx.config()
    move = rollback_model(config, model, alias=alias, to_version=to_version, reason=reason, console=ctx.console)
    announce_rollback(config, move, console=ctx.console)


@cli.group()
def models() -> None:
    """The model registry: versions, aliases and the history of every alias move.

    \b
    Example:
      mlci models show iris
    """


REGISTRY_FORMATS = click.Choice(["text", "json"])


@models.command("list")
@click.option("--format", "output_format", type=REGISTRY_FORMATS, default="text", show_default=True)
@pass_context
def models_list(ctx: Context, output_format: str) -> None:
    """Every registered model with its number of versions and its aliases.

    \b
    Example:
      mlci models list --format json
    """
    from mlci.registry.show import list_models

    _print_registry(list_models(ctx.registry()), output_format)


@models.command("show")
@click.argument("model")
@click.option("--format", "output_format", type=REGISTRY_FORMATS, default="text", show_default=True)
@pass_context
def models_show(ctx: Context, model: str, output_format: str) -> None:
    """MODEL's versions: commit, metrics, when registered, which aliases point at each.

    \b
    Example:
      mlci models show iris
    """
    from mlci.registry.show import show_model

    _print_registry(show_model(ctx.registry(), model), output_format)


@models.command("history")
@click.argument("model")
@click.option("--format", "output_format", type=REGISTRY_FORMATS, default="text", show_default=True)
@pass_context
def models_history(ctx: Context, model: str, output_format: str) -> None:
    """Every alias move of MODEL: when, from which version to which, who and why.

    \b
    Example:
      mlci models history iris --format json
    """
    from mlci.registry.show import model_history

    _print_registry(model_history(ctx.registry(), model), output_format)


@models.command("pull")
@click.argument("reference", metavar="MODEL@ALIAS|MODEL@VERSION")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to write it."
)
@pass_context
def models_pull(ctx: Context, reference: str, output: Path) -> None:
    """Write a registered model file, after checking it loads with only the reviewed trusted types.

    The reviewed list is `registry.trusted_types` in mlci.yaml; a model with other types is refused.

    \b
    Example:
      mlci models pull iris@production -o model.skops
    """
    from mlci.registry.show import pull_model

    config = ctx.config()
    version = pull_model(config, ctx.registry(config), reference, output)
    click.echo(f"wrote {version.model} version {version.number} ({version.commit[:12]}) to {output}")


def _print_registry(document: dict, output_format: str) -> None:
    from mlci.registry.show import render_text, to_json

    click.echo(to_json(document) if output_format == "json" else render_text(document))


def _chosen_models(models: tuple[str, ...]) -> list[str]:
    """The MODELS arguments, else the models named in MLCI_MODELS (how the actions pass their input)."""
    return list(models) or os.environ.get("MLCI_MODELS", "").replace(",", " ").split()


def _stdout_wants_color() -> bool:
    # https://no-color.org: any value of NO_COLOR turns colour off.
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _emit(text: str, output: Path | None) -> None:
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text.rstrip("\n"))


def _verbosity_callback(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """`-v`/`-q` after the command name (`mlci train -q`) work like before it (`mlci -q train`)."""
    state = ctx.find_object(Context)
    if state is None or not value:
        return
    state.verbosity = -1 if param.name == "quiet_here" else state.verbosity + int(value)


def _accept_verbosity_everywhere(group: click.Group) -> None:
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _accept_verbosity_everywhere(command)
            continue
        command.params += [
            click.Option(
                ["-v", "--verbose", "verbose_here"],
                count=True,
                expose_value=False,
                callback=_verbosity_callback,
                help="Say more about each step.",
            ),
            click.Option(
                ["-q", "--quiet", "quiet_here"],
                is_flag=True,
                expose_value=False,
                callback=_verbosity_callback,
                help="Print only results and errors.",
            ),
        ]


_accept_verbosity_everywhere(cli)


def main() -> None:
    cli(prog_name="mlci")
