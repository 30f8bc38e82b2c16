"""Mermaid's own parser, run by Node, for the tests that hold mlci's charts to what GitHub will draw.

    folder = install_mermaid(cache_folder)      # npm install mermaid@11 jsdom, once
    errors = parse_charts(folder, [chart, ...])  # None where Mermaid accepts the chart

Mermaid runs in a browser; jsdom gives it the `window` and `document` it looks for, which is all
`mermaid.parse` needs (drawing would need a real layout engine).
"""

from __future__ import annotations

import fcntl
import json
import subprocess
from pathlib import Path

PACKAGES = ("mermaid@11", "jsdom@26")
INSTALL_SECONDS = 600
PARSE_SECONDS = 120
PARSE_SCRIPT = """\
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
let input = "";
for await (const chunk of process.stdin) input += chunk;
const errors = [];
for (const chart of JSON.parse(input)) {
  try {
    await mermaid.parse(chart);
    errors.push(null);
  } catch (error) {
    errors.push(String(error && error.message ? error.message : error));
  }
}
process.stdout.write(JSON.stringify(errors));
"""


def install_mermaid(folder: Path) -> Path:
    """`folder` with Mermaid and jsdom installed by npm (once: a later call finds them), and the
    script that parses charts. Safe to call from several test processes at once."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "node_modules" / "mermaid" / "package.json").is_file():
            (folder / "package.json").write_text('{"private": true, "type": "module"}\n', encoding="utf-8")
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
                cwd=folder,
                check=True,
                capture_output=True,
                text=True,
                timeout=INSTALL_SECONDS,
            )
        (folder / "parse.mjs").write_text(PARSE_SCRIPT, encoding="utf-8")
    return folder


def parse_charts(folder: Path, charts: list[str]) -> list[str | None]:
    """Mermaid's verdict on each chart: None when it parses, else Mermaid's error message."""
    done = subprocess.run(
        ["node", "parse.mjs"],
        cwd=folder,
        input=json.dumps(charts),
        capture_output=True,
        text=True,
        check=True,
        timeout=PARSE_SECONDS,
    )
    errors: list[str | None] = json.loads(done.stdout)
    return errors
