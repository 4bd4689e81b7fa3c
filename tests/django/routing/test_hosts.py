"""Host validation (``tenantry_django.routing._hosts``): Django's own ``get_host()``, once per
pair of host headers, for HTTP requests and websockets alike."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from tenantry_django.routing import validated_host
from tenantry_django.routing._cache import current_caches


@pytest.fixture(autouse=True)
def _no_validated_hosts() -> None:
    """Validated hosts outlive clear_caches() (settings alone decide them): start empty."""
    current_caches().hosts.clear()


def http_request(host: str, forwarded: str | None = None) -> HttpRequest:
    headers = {"host": host, **({"x-forwarded-host": forwarded} if forwarded else {})}
    return RequestFactory().get("/", headers=headers)


def websocket_request(host: str, forwarded: str | None = None) -> HttpRequest:
    """A websocket's scope as Django's request, as ``tenantry_channels`` makes it."""
    headers = [(b"host", host.encode())]
    if forwarded:
        headers.append((b"x-forwarded-host", forwarded.encode()))
    scope = {"type": "websocket", "method": "GET", "path": "/ws/", "headers": headers}
    return ASGIRequest(scope, io.BytesIO())


def djangos_answer(request: HttpRequest) -> str | type[DisallowedHost]:
    try:
        return request.get_host()
    except DisallowedHost:
        return DisallowedHost


def ours(request: HttpRequest) -> str | type[DisallowedHost]:
    try:
        return validated_host(request)
    except DisallowedHost:
        return DisallowedHost


HEADERS = [
    ("acme.test", None),
    ("acme.test:8000", None),
    ("ACME.test", None),
    ("evil.test", None),
    ("bad_name.acme.test", None),
    ("acme.test\x00", None),
    ("proxy.internal", "acme.test"),
    ("acme.test", "evil.test"),
    ("tenant1.localhost", None),
    ("[::1]:8000", None),
]
SETTINGS = [
    {"ALLOWED_HOSTS": ["*"]},
    {"ALLOWED_HOSTS": [".acme.test", "proxy.internal"]},
    {"ALLOWED_HOSTS": [".acme.test"], "USE_X_FORWARDED_HOST": True},
    {"ALLOWED_HOSTS": [], "DEBUG": True},
]


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("make", [http_request, websocket_request])
def test_the_same_answers_djangos_get_host_gives(setting: dict[str, Any], make: Any):
    with override_settings(**setting):
        for host, forwarded in HEADERS:
            expected = djangos_answer(http_request(host, forwarded))
            assert ours(make(host, forwarded)) == expected, (host, forwarded)
            assert ours(make(host, forwarded)) == expected, (host, forwarded)  # remembered


def test_a_websocket_is_validated_once_with_the_http_requests_of_its_headers(monkeypatch):
    validations: list[str] = []
    real_get_host = HttpRequest.get_host

    def counting_get_host(request: HttpRequest) -> str:
        validations.append(type(request).__name__)
        return real_get_host(request)

    monkeypatch.setattr(HttpRequest, "get_host", counting_get_host)
    assert validated_host(http_request("acme.test:8000")) == "acme.test:8000"
    assert validated_host(websocket_request("acme.test:8000")) == "acme.test:8000"
    assert validated_host(http_request("acme.test:8000")) == "acme.test:8000"
    assert validations == ["WSGIRequest"]  # one validation for all three


@override_settings(ALLOWED_HOSTS=["acme.test"])
def test_a_refused_host_is_refused_every_time_and_never_remembered():
    for _ in range(2):
        with pytest.raises(DisallowedHost):
            validated_host(websocket_request("evil.test"))
    assert current_caches().hosts == {}


def test_a_changed_setting_is_honoured_at_once():
    assert validated_host(http_request("acme.test")) == "acme.test"  # ALLOWED_HOSTS = ["*"]
    with override_settings(ALLOWED_HOSTS=["globex.test"]), pytest.raises(DisallowedHost):
        validated_host(http_request("acme.test"))
    with override_settings(USE_X_FORWARDED_HOST=True):
        assert validated_host(http_request("acme.test", "globex.test")) == "globex.test"
    assert validated_host(http_request("acme.test", "globex.test")) == "acme.test"


def test_without_a_host_header_the_server_address_is_asked_each_time():
    request = RequestFactory().get("/")  # SERVER_NAME testserver, no Host header
    request.META.pop("HTTP_HOST", None)
    assert validated_host(request) == "testserver"
    assert current_caches().hosts == {}


def test_invented_hosts_do_not_grow_the_table_without_bound(monkeypatch):
    monkeypatch.setattr("tenantry_django.routing._cache.MAX_ENTRIES", 10)
    for index in range(25):
        validated_host(http_request(f"h{index}.test"))
    assert 0 < len(current_caches().hosts) <= 10
