"""What a step hands back to GitHub Actions: outputs, the job summary, and annotations.

All three carry text mlci does not control (metric names, model names, report content from a PR),
so each is written in the form that text cannot break out of: outputs as heredocs with a random
delimiter, annotations with GitHub's escaping, the summary within GitHub's size cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mlci.errors import ConfigError

MAX_SUMMARY_BYTES = 1024 * 1024
ANNOTATION_LEVELS = ("error", "warning", "notice")

# The step outputs that pass between the steps of an action only, declared by no action: the key and
# folder of the installer's cache of wheels, and whether this job gathered them for the cache to keep.
INTERNAL_STEP_OUTPUTS = frozenset({"wheels-key", "wheels-path", "wheels-gathered"})

# Every step output mlci writes. The actions' `outputs:` declare exactly these but the internal ones (a
# test holds them together), so an output is never written that no workflow can read, nor declared and
# never set.
STEP_OUTPUTS = (
    frozenset(
        {
            # mlci itself, installed by the actions
            "mlci-path",
            "version",
            # compare and report
            "passed",
            "verdict",
            "comparison-file",
            "report-file",
            "comment-url",
            "comment-file",
            # plan: the matrix of models to train, whether there is any, the libraries it fingerprinted with
            "matrix",
            "any",
            "libraries",
            # promote and rollback
            "promoted",
            "promotions",
            "model",
            "alias",
            "model-uri",
            # monitor
            "healthy",
            "drifted-features",
            "issue-url",
            "issue-urls",
            "retrain-models",
        }
    )
    | INTERNAL_STEP_OUTPUTS
)

OutputValue = str | int | float | bool | None


def write_outputs(path: Path | str, outputs: Mapping[str, OutputValue]) -> None:
    """Append step outputs to the GITHUB_OUTPUT file; any value may span lines.

    Booleans become `true`/`false` (what workflow expressions compare with) and None an empty string.
    Only the outputs in `STEP_OUTPUTS` may be written.
    """
    records = []
    for name, value in outputs.items():
        if name not in STEP_OUTPUTS:
            raise ValueError(f"{name!r} is not one of the step outputs the actions declare")
        text = _output_text(value)
        delimiter = _delimiter_for(text)
        records.append(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
    _append(Path(path), "".join(records), variable="GITHUB_OUTPUT")


def append_summary(path: Path | str, markdown: str) -> bool:
    """Append Markdown to the GITHUB_STEP_SUMMARY file, shortened to GitHub's 1 MiB cap.

    Returns False when the text had to be shortened (or there was no room left at all).
    """
    # The shortener loads only with a summary to write: most commands write none.
    from mlci.github.shorten import shorten_markdown, utf8_size

    target = Path(path)
    try:
        used = target.stat().st_size
    except FileNotFoundError:
        used = 0
    except OSError as exc:
        raise ConfigError(f"GITHUB_STEP_SUMMARY: cannot read {target}: {exc.strerror or exc}") from None
    room = MAX_SUMMARY_BYTES - used
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    if utf8_size(text) <= room:
        _append(target, text, variable="GITHUB_STEP_SUMMARY")
        return True
    try:
        text = shorten_markdown(
            text,
            limit=room,
            size=utf8_size,
            note=lambda over: (
                f"> **… summary truncated: {over} bytes over GitHub's 1 MiB limit for a job "
                "summary; the full report is in the report file.**"
            ),
        )
    except ValueError:
        return False  # an earlier step filled the summary; nothing more can be shown
    _append(target, text, variable="GITHUB_STEP_SUMMARY")
    return False


def annotation(
    level: str,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
    end_line: int | None = None,
    col: int | None = None,
) -> str:
    """A workflow command that shows `message` as an annotation, e.g. `::error title=T::message`.

    Every part is escaped, so text such as a metric name cannot end the command early or start
    another one.
    """
    if level not in ANNOTATION_LEVELS:
        raise ValueError(f"annotation level must be one of {', '.join(ANNOTATION_LEVELS)}, not {level!r}")
    properties: list[tuple[str, str]] = []
    if file is not None:
        properties.append(("file", file))
    for name, number in (("line", line), ("endLine", end_line), ("col", col)):
        if number is not None:
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise ValueError(f"annotation {name} must be a positive integer, not {number!r}")
            properties.append((name, str(number)))
    if title is not None:
        properties.append(("title", title))
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{level}{' ' + rendered if rendered else ''}::{escape_data(message)}"


class WorkflowCommands:
    """GitHub Actions' log markers, for the console: warnings as annotations, output in folded groups."""

    def warning(self, message: str) -> str:
        return annotation("warning", message)

    def group_start(self, title: str) -> str:
        return f"::group::{escape_data(title)}"

    def group_end(self) -> str:
        return "::endgroup::"


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command (`%`, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value of a workflow command: as data, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _output_text(value: OutputValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _delimiter_for(text: str) -> str:
    """A heredoc delimiter that occurs nowhere in `text`, so the value cannot end its own record."""
    import secrets  # only when writing outputs: it loads OpenSSL's hashes, which a comparison needs not

    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in text:
            return delimiter


def _append(path: Path, text: str, *, variable: str) -> None:
    try:
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfigError(f"{variable}: cannot write to {path}: {exc.strerror or exc}") from None
