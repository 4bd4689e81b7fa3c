"""``request.get_host()`` once per distinct Host header, not once per request.

Django's ``get_host()`` re-validates the header against ``ALLOWED_HOSTS`` on every call
(a few microseconds, the largest part of routing a request). The answer depends only on the
headers and settings read here, so it is remembered per header pair; a host Django rejects
raises ``DisallowedHost`` as always and is never remembered. The table is bounded (a client
inventing hosts under ``ALLOWED_HOSTS = ["*"]`` only makes it start over) and forgotten when
a setting ``get_host()`` reads changes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

_MAX_HOSTS = 4096
_GET_HOST_SETTINGS = frozenset({"ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST"})

# (X-Forwarded-Host, Host) -> the validated host Django returned for them.
_validated: dict[tuple[str | None, str], str] = {}


def request_host(request: HttpRequest) -> str:
    """``request.get_host()``, remembered for requests carrying the same host headers."""
    meta = request.META
    host = meta.get("HTTP_HOST")
    if not host:  # derived from SERVER_NAME/SERVER_PORT and the scheme: rare, not cached
        return request.get_host()
    key = (meta.get("HTTP_X_FORWARDED_HOST"), host)
    validated = _validated.get(key)
    if validated is None:
        validated = request.get_host()  # raises DisallowedHost: nothing remembered
        if len(_validated) >= _MAX_HOSTS:
            _validated.clear()
        _validated[key] = validated
    return validated


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _GET_HOST_SETTINGS:
        _validated.clear()
