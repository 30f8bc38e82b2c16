"""What the HTTP clients (GitHub's, MLflow's) share about a failed request."""

from __future__ import annotations

import requests
from urllib3.exceptions import ConnectTimeoutError


def never_reached_server(exc: requests.RequestException) -> bool:
    """True when the request certainly was not sent: the connection itself could not be made."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return isinstance(exc, requests.ConnectionError) and isinstance(urllib3_reason(exc), ConnectTimeoutError)


def urllib3_reason(exc: requests.RequestException) -> object:
    """The urllib3 error behind a requests failure, where it says one."""
    first = exc.args[0] if exc.args else None
    return getattr(first, "reason", first)
