"""The `mlci` program: answers `mlci --version` before loading the command line, which costs more
than the answer, then hands everything else to `mlci.cli`."""

from __future__ import annotations

import sys


def main() -> None:
    """The console script's entry point."""
    if sys.argv[1:] == ["--version"]:
        from mlci import __version__

        # The same words click's `--version` option prints.
        print(f"mlci, version {__version__}")
        return
    from mlci.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
