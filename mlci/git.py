"""A thin wrapper around the `git` command, so every call has the same error handling."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from mlci.errors import GitError


class Git:
    """Runs git in one working directory; failures become `GitError` with git's own words."""

    def __init__(self, cwd: Path, *, env: Mapping[str, str] | None = None) -> None:
        self.cwd = cwd
        self.env = dict(env) if env is not None else None

    def run(self, *args: str, check: bool = True, input: bytes | None = None) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                input=input,
                capture_output=True,
                check=False,
                env=self.env,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if check and done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip() or f"exit code {done.returncode}"
            raise GitError(f"git {args[0]} failed: {detail}")
        return done.stdout.decode(errors="replace").strip()

    def succeeds(self, *args: str) -> bool:
        return subprocess.run(["git", *args], cwd=self.cwd, capture_output=True, env=self.env).returncode == 0

    def is_repository(self) -> bool:
        return self.succeeds("rev-parse", "--git-dir")

    def head(self) -> str | None:
        """The commit checked out, or None in a repository with no commits yet."""
        if not self.succeeds("rev-parse", "--verify", "-q", "HEAD"):
            return None
        return self.run("rev-parse", "HEAD")

    def branch(self) -> str | None:
        """The branch checked out, or None when HEAD is detached."""
        name = self.run("rev-parse", "--abbrev-ref", "HEAD", check=False)
        return None if name in ("", "HEAD") else name

    def is_dirty(self, *, ignore: tuple[str, ...] = (".mlci",)) -> bool:
        """Whether tracked files differ from HEAD (untracked files do not count)."""
        pathspec = ["--", ".", *[f":(exclude){p}" for p in ignore]]
        return bool(self.run("status", "--porcelain", "--untracked-files=no", *pathspec))

    def resolve(self, ref: str) -> str:
        """The full commit id `ref` names; `GitError` naming the ref when it names none."""
        if ref.startswith("-"):
            raise GitError(f"{ref!r} is not a valid ref")
        sha = self.run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        if not sha:
            raise GitError(
                f"ref {ref!r} does not exist in this repository",
                hint="Check the name with `git branch -a`, or fetch it first.",
            )
        return sha

    def first_parent_history(self, commit: str, *, limit: int) -> list[str]:
        """`commit` and its first-parent ancestors, newest first, at most `limit` of them."""
        out = self.run("rev-list", "--first-parent", f"--max-count={limit}", commit)
        return out.split() if out else []

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.run("merge-base", a, b, check=False)
        return out or None

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository", check=False) == "true"

    def deepen(self, commit: str, *, by: int, remote: str = "origin") -> bool:
        """Fetch `by` more commits of history behind `commit` (a shallow CI checkout has one);
        False when the remote cannot give more."""
        before = self.run("rev-list", "--count", commit, check=False)
        self.succeeds("fetch", "--no-tags", "--quiet", f"--deepen={by}", remote, commit)
        return self.run("rev-list", "--count", commit, check=False) != before

    def root(self) -> Path:
        return Path(self.run("rev-parse", "--show-toplevel"))
