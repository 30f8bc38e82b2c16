"""What every command works with: the config, the console, the GitHub run (when there is one), and
the adapters built from them once: git with the run's credentials, and the store."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from mlci.config import Config
from mlci.console import Console
from mlci.git import Git
from mlci.github.actions_io import OutputValue, write_outputs
from mlci.github.context import GitHubContext
from mlci.store import open_storage
from mlci.store.storage import Storage

if TYPE_CHECKING:
    from mlci.mlflow.mirror import Mirror
    from mlci.runs.provenance import Provenance


@dataclass
class Project:
    """One project as one command sees it; the adapters are made on first use."""

    config: Config
    console: Console
    github: GitHubContext

    @cached_property
    def git(self) -> Git:
        """git in the project's repository; fetches and pushes reach the store's remote with the run's token."""
        return Git(self.config.root, token=self.github.token, remote=self.config.store.remote)

    @cached_property
    def default_branch(self) -> str | None:
        """The repository's default branch: what the event says in GitHub Actions (its
        `repository.default_branch`), else what git tells (see `Git.default_branch`); None when
        neither knows. The one answer for the base of a comparison, the push that records, and
        messages."""
        return self.github.default_branch or self.git.default_branch()

    @cached_property
    def storage(self) -> Storage:
        """Where records live. Only outside CI may a read fall back to this clone's copy of the results
        branch when the remote cannot be reached: in CI a re-run gets it right, a stale base would not."""
        return open_storage(self.config, git=self.git, console=self.console, offline_copy=not self.github.ci)

    @cached_property
    def mlflow(self) -> Mirror | None:
        """The MLflow server that mirrors the results branch (`mlflow.tracking_uri`, else
        MLFLOW_TRACKING_URI when it names a server); None without one."""
        # Loaded here: most projects have no MLflow server, and every command builds a Project.
        from mlci.mlflow.client import MlflowClient, MlflowSettings
        from mlci.mlflow.mirror import Mirror

        spec = self.config.mlflow
        settings = MlflowSettings.from_environ(spec.tracking_uri, spec.experiment, os.environ)
        return Mirror(MlflowClient(settings), experiment=spec.experiment) if settings else None

    def provenance(self) -> Provenance:
        """Who writes from this checkout, at which commit, from which run."""
        from mlci.runs.provenance import provenance_of  # only commands that write need it

        return provenance_of(self.git, actor=self.github.actor, run_url=self.github.run_url)

    def write_outputs(self, outputs: Mapping[str, OutputValue]) -> None:
        """Step outputs for the workflow, in GitHub Actions; nothing elsewhere."""
        if self.github.output is not None:
            write_outputs(self.github.output, outputs)
