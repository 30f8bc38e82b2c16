"""What the REST clients (GitHub's, MLflow's) share about a request that failed in transport."""

from __future__ import annotations

import requests
from urllib3.exceptions import ConnectTimeoutError


def never_reached_server(exc: requests.RequestException) -> bool:
    """True when an HTTP request (GitHub's, MLflow's) that failed with `exc` was certainly not sent:
    the connection itself could not be made, so repeating it cannot do the work twice."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return isinstance(exc, requests.ConnectionError) and isinstance(urllib3_reason(exc), ConnectTimeoutError)


def urllib3_reason(exc: requests.RequestException) -> object:
    """The urllib3 error behind a failed request, where requests says one."""
    first = exc.args[0] if exc.args else None
    return getattr(first, "reason", first)
