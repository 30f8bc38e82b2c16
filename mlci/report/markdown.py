"""The Markdown report: the default template, or the user's own `report.template`, in Jinja's sandbox.

Templates run with `StrictUndefined` (a misspelt name is an error, not an empty cell) and autoescape
off (the output is Markdown, not HTML); untrusted values go through the `escape` filter instead. A
user's template is code from the repository, maybe from a pull request, so it runs sandboxed and
immutable: it can read the context and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from mlci.compare.numbers import format_change, format_count, format_number, format_percent
from mlci.compare.result import Comparison
from mlci.config import Config
from mlci.config.files import confine, is_inside, read_text_bounded
from mlci.config.schema import ReportSpec
from mlci.config.yamlsource import display_path
from mlci.errors import ConfigError, MlciError
from mlci.report.context import template_context
from mlci.report.escape import escape_code, escape_html, escape_markdown
from mlci.report.marker import DEFAULT_IDENTITY, ensure_marker

if TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment

# The `templates/` folder at the top of the repository, shipped as the package `mlci.templates`.
BUILTIN_TEMPLATES = Path(str(resources.files("mlci.templates")))
DEFAULT_TEMPLATE = "report.md.j2"
MAX_TEMPLATE_BYTES = 1024 * 1024
CONTEXT_HINT = (
    "The template gets: marker, identity, title, comparison, verdict, base, head, compact, failed_gates, "
    "failed_gates_anchor, training_failures, models, notes, legend, generated_at (documented in templates/"
    "README.md of mlci's repository; its templates/report.md.j2 is a working example)."
)


def render_markdown(comparison: Comparison, *, config: Config, identity: str = DEFAULT_IDENTITY) -> str:
    """The Markdown report of `comparison`, starting with the hidden marker for `identity`.

    Uses `config.report.template` when set; any problem in that template raises `ConfigError`
    naming the template file and line.
    """
    if config.report.template is None:
        return render_default_markdown(comparison, title=config.report.title, identity=identity)
    context = template_context(comparison, title=config.report.title, identity=identity)
    text = _render_user_template(config.report.template, context, config=config)
    return ensure_marker(text, context["marker"])


def render_default_markdown(
    comparison: Comparison, *, title: str = ReportSpec.title, identity: str = DEFAULT_IDENTITY
) -> str:
    """The Markdown report of `comparison` from mlci's own template, whatever any config says: what
    `mlci comment` posts from a comparison file that a pull request's run wrote."""
    context = template_context(comparison, title=title, identity=identity)
    environment = _environment([BUILTIN_TEMPLATES], allowed=BUILTIN_TEMPLATES)
    text = environment.get_template(DEFAULT_TEMPLATE).render(context)
    return ensure_marker(text, context["marker"])


def _environment(folders: list[Path], *, allowed: Path) -> Environment:
    """The sandboxed environment that finds templates in `folders`; a template file found there must
    resolve inside `allowed` (see `_loader`) unless it is one of mlci's own."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    environment = ImmutableSandboxedEnvironment(
        loader=_loader(folders, allowed=allowed),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        escape=escape_markdown,
        e=escape_markdown,
        html=escape_html,
        code=escape_code,
        number=format_number,
        change=format_change,
        percent=format_percent,
        count=format_count,
    )
    return environment


def _loader(folders: list[Path], *, allowed: Path) -> BaseLoader:
    """Finds `name` (`partials/model.md.j2`) in the first of `folders` that has it. A template is
    code from the repository, maybe from a pull request: the file it names, or includes, must be a
    regular file of at most `MAX_TEMPLATE_BYTES` inside `allowed` (the project) once its symlinks
    are followed, or one of mlci's own; anything else is a `ConfigError` naming it."""
    from jinja2 import FunctionLoader
    from jinja2.loaders import split_template_path

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        parts = split_template_path(name)  # refuses `..`, as Jinja's own file loader does
        for folder in folders:
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            if not is_inside(path, BUILTIN_TEMPLATES):
                confine(path, allowed)
            text = read_text_bounded(path, limit=MAX_TEMPLATE_BYTES, what="a report template")
            return text, str(path), lambda: True
        return None

    return FunctionLoader(load)


def _render_user_template(path: Path, context: dict[str, Any], *, config: Config) -> str:
    from jinja2 import TemplateSyntaxError
    from jinja2.exceptions import SecurityError, UndefinedError

    shown = display_path(path)
    if not path.is_file():
        raise config.error(
            ("report", "template"),
            f"the report template {shown} does not exist",
            hint="Fix the path (it is relative to mlci.yaml), or remove `template` to use the default.",
        )
    # The template's own folder first, so it can include its own partials; then mlci's, so it can
    # include the default's (`partials/model.md.j2`).
    environment = _environment([path.parent, BUILTIN_TEMPLATES], allowed=config.project_root)
    try:
        return environment.get_template(path.name).render(context)
    except MlciError:  # the loader's: a template file outside the project, too large, not UTF-8
        raise
    except TemplateSyntaxError as exc:
        where = f"{display_path(Path(exc.filename)) if exc.filename else shown}:{exc.lineno}"
        raise ConfigError(f"{where}: report template syntax error: {exc.message}") from None
    except SecurityError as exc:
        raise ConfigError(
            f"{_where(exc.__traceback__, path)}: the report template did something the sandbox forbids: {exc}",
            hint="Templates can only read the report data they are given.",
        ) from None
    except UndefinedError as exc:
        raise ConfigError(
            f"{_where(exc.__traceback__, path)}: report template error: {exc}", hint=CONTEXT_HINT
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: the report template is not UTF-8 text") from None
    except Exception as exc:  # anything else raised while rendering is still the template's doing
        raise ConfigError(
            f"{_where(exc.__traceback__, path)}: report template failed: {type(exc).__name__}: {exc}", hint=CONTEXT_HINT
        ) from None


def _where(traceback: TracebackType | None, path: Path) -> str:
    """`file:line` of the innermost template frame, else the template's path alone. Jinja rewrites a
    template's frames to carry the template's file name and line, marking their globals with
    `__jinja_exception__`."""
    found = display_path(path)
    while traceback is not None:
        frame = traceback.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            found = f"{display_path(Path(frame.f_code.co_filename))}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return found
