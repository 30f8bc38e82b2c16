"""Real git repositories for tests: the one helper that runs git and fails the test on an error."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return its output; a failure fails the test with git's message."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout.strip()


def actions_checkout(remote: Path, target: Path, *, ref: str = "HEAD") -> Path:
    """A checkout of `ref` as actions/checkout makes it: that one commit fetched into a new repository
    at `target`, HEAD detached, and nothing else known of the remote (not even which branch is its
    default)."""
    target.mkdir(parents=True)
    git(target, "init", "-q")
    git(target, "remote", "add", "origin", f"file://{remote}")
    git(target, "fetch", "-q", "--no-tags", "--depth=1", "origin", git(remote, "rev-parse", ref))
    git(target, "checkout", "-q", "--detach", "FETCH_HEAD")
    return target
