"""A real Prometheus Pushgateway on loopback for the monitor's tests: the Debian package
`prometheus-pushgateway`, installed with apt-get when it is missing, started on a free port, and
stopped when the test is done."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BINARY = "prometheus-pushgateway"
READY_TIMEOUT = 30.0


def pushgateway_binary() -> str | None:
    """The pushgateway program, installed from Debian's package first when this machine lacks it."""
    found = shutil.which(BINARY)
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", BINARY], capture_output=True, timeout=600, check=False)
        found = shutil.which(BINARY)
    return found


@contextmanager
def running_pushgateway(binary: str, folder: Path) -> Iterator[str]:
    """A pushgateway listening on 127.0.0.1 at a free port; yields its URL, and ends it afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = (folder / "pushgateway.log").open("w")
    process = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    started = (folder / "pushgateway.log").read_text()
                    raise AssertionError(f"the pushgateway did not start: {started}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def read_metrics(url: str) -> str:
    """The pushgateway's own `/metrics`: every series pushed to it, with their labels."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as answer:
        return answer.read().decode()
