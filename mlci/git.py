"""The one way mlci runs git: every call gets the same error handling, and remote operations the
same credentials.

A token reaches git only through environment-only configuration (`GIT_CONFIG_COUNT`), never in
argv (visible to every process), in a remote URL (saved in .git/config) or in a log: messages are
scrubbed of it. That also works when `actions/checkout` ran with `persist-credentials: false`.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from mlci.errors import GitError

DEFAULT_REMOTE = "origin"
# The names a default branch usually has, tried when nothing says which it is.
USUAL_DEFAULT_BRANCHES = ("main", "master")
SHORT_SHA_LENGTH = 7
# A full commit id: SHA-1 (40 hex digits) or SHA-256 (64).
COMMIT_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_OWN_CONFIG = re.compile(r"^GIT_CONFIG_(COUNT|KEY_\d+|VALUE_\d+)$")
_Result = TypeVar("_Result")


def in_background(work: Callable[[], _Result]) -> Callable[[], _Result]:
    """Start `work` (git's, which waits on processes) in another thread and go on: the function
    returned waits for it and gives what it returned, or raises what it raised. A fetch over the
    network then runs while mlci reads its own files."""
    outcome: list[_Result] = []
    failure: list[Exception] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # raised in the caller's thread, when it asks for the result
            failure.append(exc)

    # Not a daemon: mlci waits for the work to end before it exits, so no git it started outlives it.
    worker = threading.Thread(target=run, name="mlci background", daemon=False)
    worker.start()

    def result() -> _Result:
        worker.join()
        if failure:
            raise failure[0]
        return outcome[0]

    return result


def short_sha(commit: str | None) -> str:
    """The abbreviation of a commit id people see in reports and messages (`3f2a9c1`)."""
    return commit[:SHORT_SHA_LENGTH] if commit else "no commit"


class Git:
    """Runs git in `cwd`. With a `token`, fetches and pushes to `remote`'s host authenticate with it."""

    def __init__(
        self,
        cwd: Path,
        *,
        token: str | None = None,
        remote: str = DEFAULT_REMOTE,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.cwd = cwd
        self.remote = remote
        self.token = token or None
        base = os.environ if environ is None else environ
        remote_url = self._remote_url(base) if self.token else None
        self.env = git_environment(base, token=self.token, remote_url=remote_url)
        self._root: Path | None = None
        self._common_dir: Path | None = None
        # Whether the clone is shallow changes only when it fetches (see `attempt`).
        self._shallow: bool | None = None
        self._known_remote = False
        self._fetching = threading.Lock()

    def attempt(
        self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git and return what happened, whatever its exit code."""
        if args[:1] != ("fetch",):
            return self._run(args, input=input, env=env)
        # One fetch at a time (one may run in the background, see `in_background`): two at once
        # in a shallow clone would race for its `shallow` file's lock.
        with self._fetching:
            if any(arg.startswith(("--depth", "--deepen", "--unshallow", "--shallow")) for arg in args):
                self._shallow = None
            return self._run(args, input=input, env=env)

    def _run(
        self, args: Sequence[str], *, input: bytes | None, env: Mapping[str, str] | None
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                ["git", *args], cwd=self.cwd, input=input, capture_output=True, env={**self.env, **(env or {})}
            )
        except FileNotFoundError:
            if not self.cwd.exists():  # the folder to run in is what is missing, not git
                raise GitError(f"{self.cwd}: no such folder") from None
            raise GitError("git is not installed or not on PATH") from None
        except NotADirectoryError:
            raise GitError(f"{self.cwd} is not a folder") from None

    def output(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
        """git's standard output as bytes; `GitError` with git's own (scrubbed) words when it fails."""
        done = self.attempt(*args, input=input, env=env)
        if done.returncode != 0:
            raise GitError(f"git {args[0]} failed: {self.problem(done)}")
        return done.stdout

    def run(self, *args: str, check: bool = True, input: bytes | None = None) -> str:
        """git's standard output as stripped text; with `check=False` an empty string on failure."""
        done = self.attempt(*args, input=input)
        if done.returncode != 0:
            if check:
                raise GitError(f"git {args[0]} failed: {self.problem(done)}")
            return done.stdout.decode(errors="replace").strip()
        return done.stdout.decode(errors="replace").strip()

    def succeeds(self, *args: str) -> bool:
        return self.attempt(*args).returncode == 0

    def problem(self, done: subprocess.CompletedProcess[bytes]) -> str:
        """What git said on stderr about a failed call, without the token."""
        text = done.stderr.decode(errors="replace").strip() or f"exit code {done.returncode}"
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        if not self.token:
            return text
        return text.replace(self.token, "***").replace(_basic_credentials(self.token), "***")

    # -- questions about the repository ----------------------------------------------------------

    def is_repository(self) -> bool:
        return self.common_dir() is not None

    def common_dir(self) -> Path | None:
        """The repository's own git folder (the main worktree's, shared by all), None outside a
        repository. Asked by every layer a command goes through; a folder that is a repository stays one."""
        if self._common_dir is None:
            # Whether the clone is shallow is asked by the same process: nearly every command that
            # needs one answer needs the other, and a git process costs a few milliseconds.
            done = self.attempt("rev-parse", "--git-common-dir", "--is-shallow-repository")
            answers = done.stdout.decode().split("\n")
            if done.returncode == 0 and len(answers) >= 2:
                self._common_dir = self.cwd / answers[0].strip()
                if self._shallow is None:
                    self._shallow = answers[1].strip() == "true"
        return self._common_dir

    def head(self) -> str | None:
        """The commit checked out, or None in a repository with no commits yet."""
        done = self.attempt("rev-parse", "--verify", "-q", "HEAD")
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def position(self) -> tuple[str | None, str | None]:
        """`head()` and `branch()` together, from one git process."""
        done = self.attempt("rev-parse", "HEAD", "--symbolic-full-name", "HEAD", "--")
        lines = done.stdout.decode(errors="replace").split("\n")
        if done.returncode != 0 or len(lines) < 2 or not COMMIT_ID.fullmatch(lines[0].strip()):
            return self.head(), self.branch()  # no commit yet: each answer on its own
        name = lines[1].strip()
        return lines[0].strip(), name.removeprefix("refs/heads/") if name.startswith("refs/heads/") else None

    def branch(self) -> str | None:
        """The branch checked out, or None when HEAD is detached."""
        name = self.run("rev-parse", "--abbrev-ref", "HEAD", check=False)
        return None if name in ("", "HEAD") else name

    def changed_files(self, *, ignore: Sequence[str] = ()) -> list[str]:
        """The tracked files in this folder that differ from HEAD (untracked files do not count), but
        those the gitignore-style patterns of `ignore` name; paths relative to the repository."""
        pathspec = ["--", ".", *exclude_pathspecs(ignore)]
        entries = iter(self.output("status", "--porcelain", "-z", "--untracked-files=no", *pathspec).split(b"\0"))
        changed = []
        for entry in entries:
            if len(entry) > 3:
                changed.append(entry[3:].decode(errors="replace"))
                if entry[:1] in (b"R", b"C"):
                    next(entries, None)  # a rename's or copy's source path follows
        return changed

    def is_dirty(self, *, ignore: Sequence[str] = ()) -> bool:
        """Whether tracked files differ from HEAD, but those `ignore` names (see `changed_files`)."""
        return bool(self.changed_files(ignore=ignore))

    def has_commit(self, ref: str) -> bool:
        return not ref.startswith("-") and self.succeeds("rev-parse", "--verify", "-q", f"{ref}^{{commit}}")

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

    def parent(self, commit: str) -> str | None:
        """The id of `commit`'s first parent, None for a root commit. Read from the commit itself, so
        a shallow clone names it too, although it may not hold that commit (`has_commit` tells)."""
        raw = self.run("cat-file", "commit", commit)
        for line in raw.splitlines():
            if not line:
                break  # the end of the headers: the message may hold anything
            if line.startswith("parent "):
                return line.removeprefix("parent ").strip()
        return None

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.run("merge-base", a, b, check=False)
        return out or None

    def is_shallow(self) -> bool:
        if self._shallow is None:
            self._shallow = self.run("rev-parse", "--is-shallow-repository", check=False) == "true"
        return self._shallow

    def root(self) -> Path:
        """The top folder of the working tree (asked once: it does not move)."""
        if self._root is None:
            self._root = Path(self.run("rev-parse", "--show-toplevel"))
        return self._root

    def subject(self, commit: str) -> str:
        """The first line of `commit`'s message."""
        return self.run("log", "-1", "--format=%s", commit, check=False)

    def file_at(self, commit: str, path: str) -> bytes | None:
        """The content of `path` (relative to the repository root) at `commit`, or None when it has none."""
        done = self.attempt("show", f"{commit}:{path}")
        return done.stdout if done.returncode == 0 else None

    def read_blobs(self, ids: Iterable[str]) -> dict[str, bytes]:
        """The contents of the objects `ids` (blob ids, or `commit:path`), read by one `git cat-file
        --batch` process however many they are; an id git does not have is left out."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        out = self.output("cat-file", "--batch", input="".join(f"{name}\n" for name in wanted).encode())
        contents: dict[str, bytes] = {}
        position = 0
        for name in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            position = end + 1
            if len(header) != 3:  # `<id> missing` or `<id> ambiguous`
                continue
            size = int(header[2])
            contents[name] = out[position : position + size]
            position += size + 1  # the content is followed by a line break
        return contents

    def config_value(self, key: str) -> str | None:
        value = self.run("config", "--get", key, check=False)
        return value or None

    def has_branch(self, name: str) -> bool:
        """Whether `name` is a branch here, local or the remote's as last fetched."""
        return any(
            self.succeeds("rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
            for ref in (f"refs/heads/{name}", f"refs/remotes/{self.remote}/{name}")
        )

    def default_branch(self) -> str | None:
        """The repository's default branch as git can tell it, or None.

        The remote's HEAD as this clone knows it (`refs/remotes/origin/HEAD`, set by `git clone`); else
        as the remote says (`git ls-remote --symref`: CI checkouts do not set it); else
        `init.defaultBranch` when that branch exists; else `main` or `master`, whichever exists; else the
        branch a repository without commits is on; else, in a repository without the remote, its only
        branch. A repository of `master`, `trunk` or `develop` is never compared with a `main` it lacks.
        """
        prefix = f"refs/remotes/{self.remote}/"
        remote_head = self.run("symbolic-ref", "-q", f"{prefix}HEAD", check=False)
        if remote_head.startswith(prefix):
            return remote_head.removeprefix(prefix)
        has_remote = self.has_remote()
        if has_remote:
            listed = self.run("ls-remote", "--symref", self.remote, "HEAD", check=False)
            for line in listed.splitlines():
                symref, _, name = line.partition("\t")
                if name == "HEAD" and symref.startswith("ref: refs/heads/"):
                    return symref.removeprefix("ref: refs/heads/")
        configured = self.config_value("init.defaultBranch")
        for name in (*([configured] if configured else []), *USUAL_DEFAULT_BRANCHES):
            if self.has_branch(name):
                return name
        if self.head() is None:
            return self.run("symbolic-ref", "-q", "--short", "HEAD", check=False) or None
        if has_remote:
            return None
        local = self.run("for-each-ref", "--format=%(refname:short)", "refs/heads/", check=False).split()
        return local[0] if len(local) == 1 else None

    # -- the remote --------------------------------------------------------------------------------

    def has_remote(self) -> bool:
        # As `is_repository`: asked several times by one command; a remote once there stays.
        if not self._known_remote:
            self._known_remote = self.succeeds("remote", "get-url", self.remote)
        return self._known_remote

    def fetch_commit(self, ref: str, *, depth: int) -> bool:
        """Fetch `ref` (a commit or branch) from the remote with `depth` commits of history."""
        return self.succeeds("fetch", "--no-tags", "--quiet", f"--depth={depth}", self.remote, ref)

    def fetch_branch(self, name: str, *, depth: int) -> bool:
        """Fetch the remote's branch `name` into `<remote>/<name>`, `depth` commits deep when this
        clone is shallow (as CI checkouts are); False when the remote has no such branch or cannot be
        reached."""
        refspec = f"+refs/heads/{name}:refs/remotes/{self.remote}/{name}"
        shallow = [f"--depth={depth}"] if self.is_shallow() else []
        return self.succeeds("fetch", "--no-tags", "--quiet", *shallow, self.remote, refspec)

    def deepen(self, commit: str, *, by: int) -> bool:
        """Fetch `by` more commits of history behind `commit` (a shallow CI checkout has one);
        False when the remote cannot give more."""
        before = self.run("rev-list", "--count", commit, check=False)
        self.succeeds("fetch", "--no-tags", "--quiet", f"--deepen={by}", self.remote, commit)
        return self.run("rev-list", "--count", commit, check=False) != before

    def _remote_url(self, base: Mapping[str, str]) -> str | None:
        try:
            done = subprocess.run(
                ["git", "remote", "get-url", self.remote], cwd=self.cwd, capture_output=True, text=True, env=dict(base)
            )
        except (FileNotFoundError, NotADirectoryError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None


def exclude_pathspecs(patterns: Iterable[str]) -> list[str]:
    """Pathspecs that leave out what gitignore-style `patterns` name, relative to the folder git runs
    in: a name without `/` anywhere below it (`dvc.lock`), a path with one from there (`/out/model.pkl`,
    `reports/*.png`), and a folder with everything in it; `*`, `?` and `**` as in .gitignore."""
    specs = []
    for pattern in patterns:
        body = pattern.strip("/")
        if not pattern.startswith("/") and "/" not in body:
            body = f"**/{body}"
        specs += [f":(exclude,glob){body}", f":(exclude,glob){body}/**"]
    return specs


def git_environment(environ: Mapping[str, str], *, token: str | None, remote_url: str | None) -> dict[str, str]:
    """The environment for git: never prompt, English messages, and the token as an HTTP header.

    The header is added after any `GIT_CONFIG_*` entries already in the environment. Its empty first
    value clears a header an earlier checkout may have stored for the same host, so git never sends
    two Authorization headers.
    """
    env = dict(environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"  # git's messages in English: rejection and missing-branch detection read them.
    if not token or not remote_url:
        return env
    parts = urlsplit(remote_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return env
    key = f"http.{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/.extraheader"
    try:
        count = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        count = 0
    if count <= 0:
        env = {name: value for name, value in env.items() if not _OWN_CONFIG.match(name)}
        count = 0
    env.update(
        {
            "GIT_CONFIG_COUNT": str(count + 2),
            f"GIT_CONFIG_KEY_{count}": key,
            f"GIT_CONFIG_VALUE_{count}": "",
            f"GIT_CONFIG_KEY_{count + 1}": key,
            f"GIT_CONFIG_VALUE_{count + 1}": f"AUTHORIZATION: basic {_basic_credentials(token)}",
        }
    )
    return env


def _basic_credentials(token: str) -> str:
    return base64.b64encode(f"x-access-token:{token}".encode()).decode()
