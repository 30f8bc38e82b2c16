"""What a model's training may see of mlci's environment: everything but the job's credentials.

mlci runs with the tokens it needs to comment, record and deploy: the job's GitHub token, the
runner's own tokens, the deploy webhook's URL and secret. Training needs none of them, and code
that logs its environment (experiment trackers, crash reporters, a debugging `print(os.environ)`)
would copy them into places they do not belong. So they are withheld from a training command's
environment, and removed from mlci's own while entrypoint and estimator code runs in-process,
unless the model lists them under `pass_env:`.

This keeps credentials out of reach of accidents, not of code that sets out to find them: that
code runs as the same user, on a machine where the job's checkout may keep its token too. Pull
requests from forks get a read-only token from GitHub for that reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from mlci.config import Config, ModelSpec
from mlci.config.schema import WebhookSpec

# The job's GitHub tokens as actions and the gh CLI name them, and the runner's own: the artifact and
# cache service token, and the one that requests OIDC tokens to log in to clouds.
CREDENTIALS = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)
# mlci's own secrets, whatever a future option calls them: MLCI_..._TOKEN, MLCI_..._SECRET.
MLCI_SECRET = re.compile(r"^MLCI_\w*(TOKEN|SECRET)$")


def withheld_names(config: Config, model: ModelSpec, environ: Mapping[str, str]) -> set[str]:
    """The variables of `environ` that `model`'s training does not get."""
    # The default names too: a job may hold the webhook's secrets whatever this config says.
    webhooks = (config.promote.triggers.webhook or WebhookSpec(), WebhookSpec())
    names = {*CREDENTIALS, *(name for hook in webhooks for name in (hook.url_env, hook.secret_env) if name)}
    names |= {name for name in environ if MLCI_SECRET.match(name)}
    return {name for name in names if name in environ and name not in model.pass_env}


def training_environment(config: Config, model: ModelSpec, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without what `model`'s training may not see."""
    withheld = withheld_names(config, model, environ)
    return {name: value for name, value in environ.items() if name not in withheld}


@contextmanager
def credentials_withheld(config: Config, model: ModelSpec) -> Iterator[None]:
    """Remove the withheld variables from this process's environment while the block runs (code of
    the project runs in-process), and put them back afterwards, whatever happened."""
    removed = {name: os.environ.pop(name) for name in withheld_names(config, model, os.environ)}
    try:
        yield
    finally:
        os.environ.update(removed)
