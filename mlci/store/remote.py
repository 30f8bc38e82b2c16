"""What git's answers about the remote mean, and the errors that say what to do about them.

git tells a lost race, a branch that does not exist yet, a token the host refuses and a host that
cannot be reached at all only in words on stderr (in English: `mlci.git` sets `LC_ALL=C`), so they
are read here, in one place.
"""

from __future__ import annotations

from mlci.errors import INVALID_TOKEN_HINT, OutsideError

LOCAL_STORE_HINT = "To work on this machine alone, keep results in a folder: `store: {backend: local}` in mlci.yaml."

# What git prints when a push lost a race: the remote branch moved, or a concurrent receive held its lock.
_RACE_SIGNS = ("[rejected]", "non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "stale info")
_MISSING_BRANCH_SIGNS = ("couldn't find remote ref", "could not find remote ref")
# A remote that does not take the token at all, apart from one that takes it but refuses the write.
_REJECTED_TOKEN_SIGNS = (
    "authentication failed",
    "invalid username or password",
    "error: 401",
    "could not read username",
)
_DENIED_SIGNS = ("403", "permission", "denied")
# What git (through curl or ssh) prints when the remote cannot be reached at all: no network, no DNS,
# nothing listening, or a remote on a path (a disk or share) that is not mounted.
_UNREACHABLE_SIGNS = (
    "could not resolve host",
    "temporary failure in name resolution",
    "name or service not known",
    "couldn't connect to server",
    "failed to connect to",
    "connection refused",
    "connection timed out",
    "operation timed out",
    "network is unreachable",
    "no route to host",
    "connection reset",
    "does not appear to be a git repository",
)


def lost_race(problem: str) -> bool:
    """Whether a push was refused because the branch moved (or was being moved) meanwhile."""
    return any(sign in problem for sign in _RACE_SIGNS)


def missing_branch(problem: str) -> bool:
    """Whether a fetch found no such branch on the remote (nothing was recorded there yet)."""
    return any(sign in problem.lower() for sign in _MISSING_BRANCH_SIGNS)


def unreachable_reason(problem: str) -> str | None:
    """git's words for why the remote could not be reached at all (`Could not resolve host:
    github.com`), or None when it was reached, even if it then refused (a rejected token)."""
    for line in problem.splitlines():
        if any(sign in line.lower() for sign in _UNREACHABLE_SIGNS):
            # `fatal: unable to access 'https://...': Could not resolve host: ...`: the reason is the end.
            reason = line.rsplit("': ", 1)[-1] if "unable to access" in line else line
            return reason.removeprefix("fatal: ").removeprefix("ssh: ").strip()
    return None


def remote_failure(what: str, problem: str) -> OutsideError:
    """The error for a fetch or push the remote refused, saying whether the token or a permission is why."""
    lowered = problem.lower()
    if any(sign in lowered for sign in _REJECTED_TOKEN_SIGNS):
        return OutsideError(
            f"{what}: the token is missing, invalid or expired ({problem})",
            hint=f"{INVALID_TOKEN_HINT} {LOCAL_STORE_HINT}",
        )
    hint = LOCAL_STORE_HINT
    if any(sign in lowered for sign in _DENIED_SIGNS):
        hint = f"The token needs `contents: write` (add it to the workflow's `permissions:`). {LOCAL_STORE_HINT}"
    return OutsideError(f"{what}: {problem}", hint=hint)
