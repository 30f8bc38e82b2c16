"""Who recorded a commit's runs or moved an alias, from which workflow run, for which pull request.

Provenance is gathered once by the command that writes (it knows the GitHub run, when there is
one) and handed to the library code that keeps it in records, versions and history entries.
"""

from __future__ import annotations

import getpass
import re
from typing import Any

from mlci.config.records import record
from mlci.git import Git

MERGE_SUBJECT = re.compile(r"^Merge pull request #(\d+) ")
SQUASH_SUBJECT = re.compile(r"\(#(\d+)\)$")


@record
class Provenance:
    """Where a write came from: the commit checked out, `by` (a person or bot), the workflow run, and
    the pull request that commit merged."""

    commit: str | None
    by: str
    run_url: str | None = None
    pull_request: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The keys records and registry versions keep (`recorded_by`, `run_url`, `pull_request`)."""
        info: dict[str, Any] = {"recorded_by": self.by}
        if self.run_url:
            info["run_url"] = self.run_url
        if self.pull_request is not None:
            info["pull_request"] = self.pull_request
        return info


def merged_pull_request(subject: str) -> int | None:
    """The pull request a commit merged, from its subject.

    GitHub names it in both merge commits ("Merge pull request #12 from ...") and squash merges
    ("Title (#12)").
    """
    merged = MERGE_SUBJECT.search(subject) or SQUASH_SUBJECT.search(subject)
    return int(merged.group(1)) if merged else None


def provenance_of(git: Git, *, actor: str | None, run_url: str | None) -> Provenance:
    """The provenance of a write from the checkout of `git`: its commit, `actor` when a CI run names
    one, else the person git knows (`user.name`), else the login; and the pull request the commit merged."""
    commit = git.head()
    by = actor or git.config_value("user.name") or _login()
    pull_request = merged_pull_request(git.subject(commit)) if commit else None
    return Provenance(commit=commit, by=by, run_url=run_url, pull_request=pull_request)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
