"""The `mlci` command line: click options in, one call to `mlci.commands` out, and every failure
turned into its exit code (see `mlci.errors`). The commands are imported inside each click function,
so `mlci --help` starts without loading pandas or scikit-learn."""

from __future__ import annotations

import gc
import os
import signal
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlci import __version__
from mlci.console import printable
from mlci.errors import ExitCode, Interrupted, MlciError
from mlci.git import short_sha

if TYPE_CHECKING:
    from mlci.commands.project import Project
    from mlci.config import Config
    from mlci.console import Console
    from mlci.github.context import GitHubContext

BUG_REPORT = "this is a bug in mlci; please report it with the command you ran"


@dataclass
class Context:
    """Options shared by every command, and what they lead to, made on first use."""

    config_option: str | None
    verbosity: int
    _config: Config | None = field(default=None, repr=False)

    @cached_property
    def github(self) -> GitHubContext:
        """The GitHub Actions run this is part of (empty outside one): the only read of its variables."""
        from mlci.github.context import GitHubContext

        return GitHubContext.from_env(os.environ)

    @property
    def console(self) -> Console:
        from mlci.console import Console
        from mlci.github.actions_io import WorkflowCommands

        github = self.github
        return Console(
            verbosity=self.verbosity,
            live=False if github.ci else None,
            commands=WorkflowCommands() if github.in_actions else None,
        )

    def config(self, *, keep: bool = True) -> Config:
        """The config; with `keep` false, nothing is written beside it (see `load_config`)."""
        from mlci.config import find_config, load_config

        _modules_loaded()
        if self._config is None:
            self._config = load_config(find_config(self.config_option), keep=keep)
        return self._config

    def project(self) -> Project:
        from mlci.commands.project import Project

        return Project(config=self.config(), console=self.console, github=self.github)


pass_context = click.make_pass_decorator(Context)


class MlciGroup(click.Group):
    """Turns every failure into its exit code: a known one with its message, an unexpected one with
    one line asking to report it (the traceback only with -v), never mixed up with a failed gate."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MlciError as exc:
            click.echo(f"mlci: error: {printable(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            number = exc.signal_number if isinstance(exc, Interrupted) else signal.SIGINT
            click.echo(f"mlci: interrupted by {signal.Signals(number).name}", err=True)
            sys.exit(ExitCode.for_signal(number))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            verbose = isinstance(ctx.obj, Context) and ctx.obj.verbosity > 0
            if verbose:
                import traceback

                traceback.print_exc()
            detail = printable(str(exc)).splitlines()[0] if str(exc).strip() else ""
            click.echo(f"mlci: unexpected error: {type(exc).__name__}{': ' + detail if detail else ''}", err=True)
            click.echo(f"{BUG_REPORT}{'' if verbose else ' (run it again with -v to see the traceback)'}", err=True)
            sys.exit(ExitCode.BUG)


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
    """CI/CD for machine learning: train models, compare them with the default branch, report on
    the pull request, record baselines.

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
@click.option(
    "--schedule",
    is_flag=True,
    help="Also write .github/workflows/mlci-monitor.yml: the daily monitor, its alert issue and retrain PRs.",
)
@pass_context
def init(ctx: Context, force: bool, directory: Path, schedule: bool) -> None:
    """Write a starter mlci.yaml and .github/workflows/mlci.yml.

    Detects CSV and Parquet files in the project and a likely target column. With --schedule in a
    project that has its mlci.yaml, writes only the monitor workflow.

    \b
    Example:
      mlci init && mlci validate
      mlci init --schedule
    """
    from mlci.commands.init import init_project

    for path in init_project(directory, force=force, console=ctx.console, schedule=schedule):
        _echo(f"wrote {path}")


@cli.command()
@pass_context
def validate(ctx: Context) -> None:
    """Check the config, the data files and their columns (the monitor's batch too), without training.

    \b
    Example:
      mlci validate --config ml/mlci.yaml
    """
    from mlci.commands.validate import validate_project

    config = ctx.config(keep=False)  # validating writes nothing
    validate_project(config, console=ctx.console)
    _echo(f"{config.path.name}: OK ({len(config.models)} model{'s' if len(config.models) != 1 else ''})")


class Duration(click.ParamType):
    """A time limit: 90s, 30m, 2h, 1h30m, or a number of seconds."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        from mlci.config.durations import parse_duration

        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def training_options(function):
    """Options of `train` and `run` that decide how models are trained, each with the variable the
    actions can set."""
    options = [
        click.option(
            "--timeout",
            type=Duration(),
            envvar="MLCI_TIMEOUT",
            metavar="DURATION",
            help="End each model's training after this long (90s, 30m, 2h), instead of its `timeout:` "
            "in mlci.yaml (env MLCI_TIMEOUT).",
        ),
        click.option(
            "--fail-fast",
            is_flag=True,
            envvar="MLCI_FAIL_FAST",
            help="Stop at the first model that fails, instead of training the others (env MLCI_FAIL_FAST).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@click.argument("models", nargs=-1)
@click.option("--force", is_flag=True, help="Train even models whose inputs did not change.")
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    help="Also take over the runs recorded for REF when a model is unchanged since then.",
)
@training_options
@pass_context
def train(
    ctx: Context, models: tuple[str, ...], force: bool, base_ref: str | None, timeout: float | None, fail_fast: bool
) -> None:
    """Train MODELS (default: env MLCI_MODELS, else all) and keep each run under .mlci/runs/.

    A model whose config section, data, deps and library versions are unchanged since its last run
    (or since the run recorded for --base) is not trained again; --force trains it anyway. A model
    that fails does not stop the others: each one's outcome is printed, and the exit code is the
    worst of the failures' (2 for config or data, 3 for a timeout).

    \b
    Example:
      mlci train            # every model in mlci.yaml
      mlci train iris       # just one
      mlci train --timeout 2h --fail-fast
    """
    from mlci.commands.train import outcome_line
    from mlci.commands.train import train as train_command

    trained = train_command(
        ctx.project(), _chosen_models(models), force=force, base_ref=base_ref, fail_fast=fail_fast, timeout=timeout
    )
    for outcome in trained.outcomes:
        _echo(outcome_line(outcome))
    trained.check()


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
    from mlci.commands.record import mirror_record, record_current_runs

    project = ctx.project()
    outcome = record_current_runs(project, replace=replace, allow_dirty=allow_dirty)
    if outcome.written:
        _echo(f"recorded {', '.join(outcome.models)} for {short_sha(outcome.commit)} {outcome.where}")
    else:
        _echo(f"{short_sha(outcome.commit)} already recorded {outcome.where}; kept it (use --replace to overwrite)")
    for line in mirror_record(project, outcome):
        _echo(line)


FORMATS = click.Choice(["text", "markdown", "json"])


def base_option(help: str):
    """`--base REF` (env MLCI_BASE, which the actions set from their `base` input)."""
    return click.option("--base", "base_ref", metavar="REF", envvar="MLCI_BASE", help=help)


@cli.command()
@base_option("Branch, tag or commit to compare with (default: a pull request's base, else the default branch).")
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
@click.option(
    "--first-run-ok",
    is_flag=True,
    envvar="MLCI_FIRST_RUN_OK",
    help="With nothing recorded for the base yet, report every model as new instead of failing.",
)
@pass_context
def compare(
    ctx: Context,
    base_ref: str | None,
    output_format: str,
    output: Path | None,
    json_output: Path | None,
    fail_on_regression: bool,
    first_run_ok: bool,
) -> None:
    """Compare this checkout's runs with the runs recorded for the base.

    Exits 1 when a gate fails. The JSON format is a stable schema (see `schema_version`).

    \b
    Example:
      mlci compare --base main --format markdown
    """
    from mlci.commands.compare import compare as compare_command

    color = output is None and _stdout_wants_color()
    text, compared = compare_command(
        ctx.project(),
        base_ref,
        output_format=output_format,
        color=color,
        json_output=json_output,
        first_run_ok=first_run_ok,
        # JSON for a person reading a terminal is indented; for programs, compact.
        indent=output is None and sys.stdout.isatty(),
    )
    _emit(text, output, colored=color)
    sys.exit(_verdict_code(compared.comparison.passed, fail_on_regression))


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
        click.option(
            "--pictures-artifact",
            envvar="MLCI_PICTURES_ARTIFACT",
            metavar="NAME",
            help="The artifact the workflow uploads the runs' pictures to, linked from the job summary "
            "(env MLCI_PICTURES_ARTIFACT; the one-line action sets it).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@base_option("Branch, tag or commit to compare with (default: a pull request's base, else the default branch).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown report here (default: print it; in Actions also $RUNNER_TEMP/mlci/).",
)
@click.option(
    "--json-output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the comparison as JSON here (what `mlci comment` posts in the fork-safe pattern).",
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
    json_output: Path | None,
    post: bool,
    summary: bool,
    status: bool,
    first_run_ok: bool,
    identity: str,
    fail_on_regression: bool,
    pictures_artifact: str | None,
) -> None:
    """Render the Markdown report of the comparison with the base; post it on the pull request.

    Exits 1 when a gate fails (unless --no-fail-on-regression), after writing the report. A token
    that may not comment (pull requests from forks) gets a warning, not a failure.

    \b
    Example:
      mlci report --base main --output report.md
      mlci report --post --summary --status        # in GitHub Actions
    """
    from mlci.commands.report import PublishOptions
    from mlci.commands.report import report as report_command

    options = PublishOptions(
        identity=identity,
        output=output,
        json_output=json_output,
        post=post,
        summary=summary,
        status=status,
        pictures_artifact=pictures_artifact,
    )
    comparison, _published = report_command(ctx.project(), base_ref, options, first_run_ok=first_run_ok)
    sys.exit(_verdict_code(comparison.passed, fail_on_regression))


@cli.command()
@click.argument("comparison_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pr", envvar="MLCI_PR_NUMBER", metavar="NUMBER", help="The pull request to comment on (env MLCI_PR_NUMBER)."
)
@click.option("--identity", envvar="MLCI_REPORT_ID", default="default", show_default=True, metavar="NAME")
@pass_context
def comment(ctx: Context, comparison_file: Path, pr: str | None, identity: str) -> None:
    """Render the report of a comparison written earlier and post it as the pull request's comment.

    For the fork-safe two-workflow pattern: the first workflow writes the comparison
    (`mlci report --json-output FILE`), this one posts it. It runs nothing from the pull request and
    posts none of its text as it is: the file must be inside the workspace, at most 4 MiB, and a
    comparison that decodes strictly; the report is rendered with mlci's own template, every name
    escaped; in a workflow_run event the pull request's head must be the commit the comparison was
    made for.

    \b
    Example:
      mlci comment mlci-report/comparison.json --pr 42
    """
    from mlci.commands.comment import comment as comment_command

    comment_command(comparison_file, pr=pr, identity=identity, github=ctx.github, console=ctx.console)


@cli.command(name="run")
@click.argument("models", nargs=-1)
@github_options
@training_options
@click.option(
    "--promote/--no-promote",
    envvar="MLCI_PROMOTE",
    default=None,
    help="Whether a push to the default branch promotes, or only registers the versions (default: "
    "promote.auto in mlci.yaml; env MLCI_PROMOTE).",
)
@click.option(
    "--runs-from",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MLCI_RUNS_FROM",
    metavar="DIR",
    help="Import the runs a matrix's jobs exported into DIR instead of training (see import-runs; env MLCI_RUNS_FROM).",
)
@pass_context
def run_command(
    ctx: Context,
    models: tuple[str, ...],
    identity: str,
    fail_on_regression: bool,
    pictures_artifact: str | None,
    timeout: float | None,
    fail_fast: bool,
    promote: bool | None,
    runs_from: Path | None,
) -> None:
    """Do what the event of this GitHub Actions run calls for (what the one-line action runs).

    \b
    pull_request       train, compare with the PR's base, comment, summary, status
    push to the default branch
                       train, record, summary, promote the winners (--no-promote: register them)
    workflow_dispatch  roll back when the `rollback` input names a model; fire the deploy
                       triggers again when `redeploy` names MODEL[@ALIAS]

    MODELS (default: env MLCI_MODELS, else all) limits which models are trained and promoted.

    \b
    Example:
      mlci run        # in a workflow step, after actions/checkout
    """
    from mlci.commands.run import run_event

    code = run_event(
        ctx.project(),
        models=_chosen_models(models),
        identity=identity,
        fail_on_regression=fail_on_regression,
        timeout=timeout,
        fail_fast=fail_fast,
        promote=promote,
        pictures_artifact=pictures_artifact,
        runs_from=runs_from,
    )
    sys.exit(code)


@cli.command()
@base_option(
    "Branch, tag or commit whose record to hold the models against (default: what this event "
    "compares with: a pull request's base, the branch before a push; else the default branch)."
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_context
def plan(ctx: Context, base_ref: str | None, output_format: str) -> None:
    """List the models whose fingerprint (config section, data, deps, library versions) differs from
    the base's record, with why, as a GitHub matrix.

    In GitHub Actions also sets the step outputs `matrix` (for `fromJSON`), `any` (false: skip the
    matrix, which GitHub refuses empty) and `libraries`. Run it with the same Python and install step
    as the training jobs: the library versions are part of every fingerprint.

    \b
    Example:
      mlci plan --format json
    """
    from mlci.commands.plan import plan as plan_command
    from mlci.commands.plan import render_plan

    _echo(render_plan(plan_command(ctx.project(), base_ref), output_format))


@cli.command(name="export-run")
@click.argument("models", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to export into; each model's run goes to OUTPUT/<model>/.",
)
@click.option(
    "--plan-libraries",
    envvar="MLCI_PLAN_LIBRARIES",
    metavar="JSON",
    help="The plan's `libraries` output: warn when this job trained with other versions (env MLCI_PLAN_LIBRARIES).",
)
@pass_context
def export_run(ctx: Context, models: tuple[str, ...], output: Path, plan_libraries: str | None) -> None:
    """Export this checkout's runs of MODELS (default: env MLCI_MODELS, else all) for the job that
    gathers a matrix's runs.

    Each run (run.json and its files) goes to OUTPUT/<model>/ with export.json: the model, the
    commit and the fingerprint. Upload OUTPUT as an artifact named after the job.

    \b
    Example:
      mlci train iris && mlci export-run iris -o mlci-export
    """
    from mlci.commands.transfer import export_runs

    for folder in export_runs(ctx.project(), _chosen_models(models), output, plan_libraries=plan_libraries):
        _echo(f"exported {folder.name} to {folder}")


@cli.command(name="import-runs")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@base_option(
    "Take over the unchanged models from REF's record (default: what this event compares with, "
    "else the default branch)."
)
@pass_context
def import_runs(ctx: Context, folder: Path, base_ref: str | None) -> None:
    """Make the runs a matrix's jobs exported into FOLDER this checkout's runs, and take over the
    unchanged models from the base's record: what one job training every model would have.

    Every run is checked first: its model must be in mlci.yaml, it must have been trained at HEAD,
    and its files must be inside its own folder; a refusal (exit 2) names the folder and imports
    nothing. A changed model with no run to import fails as a training would.

    \b
    Example:
      mlci import-runs mlci-runs && mlci report
    """
    from mlci.commands.compare import BaseChoice
    from mlci.commands.events import base_of_event
    from mlci.commands.train import outcome_line
    from mlci.commands.transfer import import_runs as import_command

    project = ctx.project()
    base = BaseChoice(ref=base_ref) if base_ref else base_of_event(project)
    imported = import_command(project, folder, base=base)
    for outcome in imported.outcomes:
        _echo(outcome_line(outcome))
    imported.check()


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
    from mlci.commands.demo import run_demo

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
    model's first metric. The move is recorded in the history, then the deploy triggers of every
    move fire; a failed trigger exits 3 (the moves stand; `mlci deploy` fires them again).

    \b
    Example:
      mlci train && mlci record && mlci promote
    """
    from mlci.commands.promote import promote as promote_command

    promote_command(ctx.project(), _chosen_models(models), alias=alias, force=force, reason=reason)


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
    from mlci.commands.rollback import rollback as rollback_command

    rollback_command(ctx.project(), model, alias=alias, to_version=to_version, reason=reason)


@cli.command()
@click.argument("reference", metavar="MODEL[@ALIAS]")
@pass_context
def deploy(ctx: Context, reference: str) -> None:
    """Fire the deploy triggers again for the version MODEL's alias points at (default alias:
    promote.alias, production).

    For when a trigger failed after a promotion or rollback, or a deployment was lost. Safe to
    repeat: GitHub keeps one Deployment per move (a failed status gets a new success, a successful
    one is left alone), the webhook sends the same delivery id, the dispatch starts the deploy
    workflow again. The history records each firing (`mlci models history`).

    \b
    Example:
      mlci deploy iris@production
    """
    from mlci.commands.deploy import deploy as deploy_command

    deploy_command(ctx.project(), reference)


@cli.command(name="monitor")
@click.argument("models", nargs=-1)
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The fresh data to check (default: the newest file monitor.batch matches).",
)
@click.option(
    "--alias", metavar="NAME", help="The alias whose version to check (default: monitor.alias, else promote.alias)."
)
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write it to a file.")
@click.option(
    "--prom-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the metrics in Prometheus' text format here (needs mlci[prometheus]).",
)
@click.option(
    "--pushgateway",
    metavar="URL",
    envvar="MLCI_PUSHGATEWAY",
    help="Push the metrics to this Prometheus Pushgateway (needs mlci[prometheus]; env MLCI_PUSHGATEWAY).",
)
@click.option(
    "--alert",
    type=click.Choice(["issue", "none"]),
    help="`issue`: keep one GitHub issue per unhealthy model and alias; `none`: the exit code only "
    "(default: monitor.alert, issue).",
)
@pass_context
def monitor_command(
    ctx: Context,
    models: tuple[str, ...],
    batch: Path | None,
    alias: str | None,
    output_format: str,
    output: Path | None,
    prom_file: Path | None,
    pushgateway: str | None,
    alert: str | None,
) -> None:
    """Check the version an alias points at on fresh data: drift from its training data, and decay of
    its metrics against the values it recorded. Exits 1 on drift or decay.

    Each run is kept on the results branch (`mlci models show` lists them).

    \b
    Example:
      mlci monitor iris --batch data/incoming/today.parquet --prom-file monitor.prom
    """
    from mlci.commands.monitor import MonitorOptions
    from mlci.commands.monitor import monitor as monitor_run

    options = MonitorOptions(
        batch=batch,
        alias=alias,
        output_format=output_format,
        prom_file=prom_file,
        pushgateway=pushgateway,
        alert=alert,  # type: ignore[arg-type]
    )
    text, result = monitor_run(ctx.project(), _chosen_models(models), options)
    _emit(text, output)
    sys.exit(ExitCode.GATE_FAILED if result.alerting else ExitCode.OK)


@cli.command()
@click.argument("model")
@click.option(
    "--workflow",
    metavar="FILE",
    default="mlci.yml",
    show_default=True,
    help="The workflow to start on the retrain branch (a file in .github/workflows with workflow_dispatch).",
)
@click.option("--reason", metavar="TEXT", help="Why, for the pull request's description (e.g. the monitor's verdict).")
@click.option(
    "--alert-issues",
    metavar="JSON",
    help="The monitor's issue-urls output (model to alert issue); MODEL's issue becomes the reason.",
)
@pass_context
def retrain(ctx: Context, model: str, workflow: str, reason: str | None, alert_issues: str | None) -> None:
    """Refresh MODEL's data (retrain.data in mlci.yaml), commit it to mlci/retrain/MODEL and open (or
    update) the model's one retrain pull request; then start the mlci workflow on that branch.

    A pull request opened with the job's token starts no workflow, hence the dispatch. Merging the
    pull request records and promotes the retrained model as usual.

    \b
    Example:
      mlci retrain iris --reason "drift in petal_length"
    """
    from mlci.commands.retrain import alert_reason
    from mlci.commands.retrain import retrain as retrain_command

    if alert_issues is not None:
        reason = reason or alert_reason(alert_issues, model)
    retrain_command(ctx.project(), model, workflow=workflow, reason=reason)


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
    _print_registry(ctx, "list", None, output_format)


@models.command("show")
@click.argument("model")
@click.option("--format", "output_format", type=REGISTRY_FORMATS, default="text", show_default=True)
@pass_context
def models_show(ctx: Context, model: str, output_format: str) -> None:
    """MODEL's versions: commit, metrics, when registered, which aliases point at each, and what the
    deploy triggers of each alias's current version did.

    \b
    Example:
      mlci models show iris
    """
    _print_registry(ctx, "show", model, output_format)


@models.command("history")
@click.argument("model")
@click.option("--format", "output_format", type=REGISTRY_FORMATS, default="text", show_default=True)
@pass_context
def models_history(ctx: Context, model: str, output_format: str) -> None:
    """Every alias move of MODEL: when, from which version to which, who, why, and what its deploy
    triggers did each time they fired.

    \b
    Example:
      mlci models history iris --format json
    """
    _print_registry(ctx, "history", model, output_format)


@models.command("pull")
@click.argument("reference", metavar="MODEL@ALIAS|MODEL@VERSION")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write, or a folder to write it into under its registered name.",
)
@click.option(
    "--check",
    is_flag=True,
    help="First load it with skops, trusting only registry.trusted_types; refuse any other format.",
)
@pass_context
def models_pull(ctx: Context, reference: str, output: Path, check: bool) -> None:
    """Write a registered model file, in whatever format it was registered, after checking its bytes
    against the sha256 recorded when it was registered. It is never loaded: a pickle or joblib file
    is served as bytes, as is an ONNX file.

    With --check, a skops file is loaded first with only the reviewed types trusted (skops' defaults
    and `registry.trusted_types` in mlci.yaml), and any other format is refused.

    \b
    Example:
      mlci models pull iris@production -o models/ --check
    """
    from mlci.commands.models import pull

    version, written = pull(ctx.project(), reference, output, check=check)
    file = version.model_file or {}
    what = f"{file.get('format') or 'format not recorded'}, sha256 checked{', loaded with skops' if check else ''}"
    _echo(f"wrote {version.model} version {version.number} ({short_sha(version.commit)}; {what}) to {written}")


@cli.group()
def registry() -> None:
    """The registry's mirror in MLflow (`mlflow.tracking_uri` in mlci.yaml, or MLFLOW_TRACKING_URI).

    \b
    Example:
      mlci registry sync
    """


@registry.command("sync")
@pass_context
def registry_sync(ctx: Context) -> None:
    """Repair the MLflow mirror: log the recorded runs and create the model versions it lacks, and set
    every alias to the version holding it on the results branch (undoing moves made in MLflow). Safe
    to repeat: what MLflow has is found by its tags and left alone.

    \b
    Example:
      MLFLOW_TRACKING_URI=https://mlflow.example.com mlci registry sync
    """
    from mlci.commands.registry_sync import sync

    project = ctx.project()
    changes = sync(project, say=_echo)
    mirror = project.mlflow
    where = mirror.where if mirror else "MLflow"
    _echo(f"{where} was up to date" if not changes else f"{len(changes)} changes made in {where}")


def _print_registry(ctx: Context, what: str, model: str | None, output_format: str) -> None:
    from mlci.commands.models import registry_document, render_document

    _echo(render_document(registry_document(ctx.project(), what, model), output_format))


def _chosen_models(models: tuple[str, ...]) -> list[str]:
    """The MODELS arguments, else the models named in MLCI_MODELS (how the actions pass their input)."""
    return list(models) or os.environ.get("MLCI_MODELS", "").replace(",", " ").split()


def _verdict_code(passed: bool, fail_on_regression: bool) -> ExitCode:
    return ExitCode.OK if passed or not fail_on_regression else ExitCode.GATE_FAILED


def _stdout_wants_color() -> bool:
    # https://no-color.org: any value of NO_COLOR turns colour off.
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _emit(text: str, output: Path | None, *, colored: bool = False) -> None:
    """A result to `output`, else to stdout, printable. Coloured text (only ever for a terminal, never
    a CI log) keeps its colours: the text report already passes every name in it through `visible`."""
    if output:
        from mlci.config.files import write_output

        write_output(output, text, option="--output")
    else:
        click.echo(text.rstrip("\n") if colored else printable(text.rstrip("\n")))


def _echo(text: str) -> None:
    """A result line on stdout: names in it come from files and runs, so it is made printable first."""
    click.echo(printable(text))


def _verbosity_callback(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """`-v`/`-q` after the command name (`mlci train -q`) work like before it (`mlci -q train`)."""
    state = ctx.find_object(Context)
    if state is None or not value:
        return
    state.verbosity = -1 if param.name == "quiet_here" else state.verbosity + int(str(value))


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


# Signals that ask mlci to stop: the CI runner's SIGTERM when a job is cancelled, SIGHUP when the
# terminal closes. By default they end Python at once, leaving a running command's process group,
# which no longer shares mlci's terminal, to run on.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def main() -> None:
    # While mlci loads its modules (the command's own come first in each command), nothing it makes
    # is garbage: the collector's passes over them, a twentieth of a quick command, wait until the
    # command's work begins (see `_modules_loaded`).
    gc.disable()
    for number in STOP_SIGNALS:
        # An ignored signal stays ignored: `nohup mlci train` must survive the terminal closing.
        if signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _stop)
    try:
        cli(prog_name="mlci")
    finally:
        # Python's last garbage collection walks every object a training loaded (scikit-learn, SciPy
        # and pandas hold hundreds of thousands): about 0.4 s of nothing before the process ends. The
        # objects are left to the operating system instead; exit handlers and finalizers still run.
        gc.freeze()


def _modules_loaded() -> None:
    """The command's work begins: what loading made is set aside for good (`gc.freeze`: later passes,
    a long training's included, never walk it again) and the collector runs from here on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _stop(number: int, frame: object) -> None:
    raise Interrupted(number)
