"""What the resolvers see of an ASGI scope, made into Django's own request: the host Django
would accept, the path below the mount point, the headers, the session, the scheme."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import DisallowedHost
from django.test import override_settings

from tenantry import RequestInfo
from tenantry_channels._scope import scope_request, shown_host
from tenantry_django.routing import request_info, validated_host


def described(scope: dict[str, Any]) -> RequestInfo | None:
    """What the resolvers see, as the router asks for it; None for no host or a refused one."""
    request = scope_request(scope)
    if request is None:
        return None
    try:
        return request_info(request, validated_host(request))
    except DisallowedHost:
        return None


def scope(*headers: tuple[str, str], **fields: Any) -> dict[str, Any]:
    raw = [(name.encode(), value.encode()) for name, value in headers]
    return {"type": "websocket", "path": "/ws/", "headers": raw, **fields}


def test_the_host_header_with_its_port():
    info = described(scope(("Host", "tenant1.example.com:8000")))
    assert info is not None
    assert info.host == "tenant1.example.com:8000"


@override_settings(ALLOWED_HOSTS=[".example.com"])
def test_a_host_django_would_refuse_gives_no_request():
    assert described(scope(("host", "evil.test"))) is None
    assert described(scope(("host", "bad_name.example.com"))) is None
    assert described(scope(("host", "ok.example.com"))) is not None


@override_settings(ALLOWED_HOSTS=[], DEBUG=True)
def test_debug_without_allowed_hosts_allows_localhost_as_django_does():
    assert described(scope(("host", "tenant1.localhost"))) is not None
    assert described(scope(("host", "example.com"))) is None


def test_forwarded_host_only_when_django_is_told_to_trust_it():
    forwarded = scope(("host", "proxy.internal"), ("x-forwarded-host", "tenant1.example.com"))
    assert described(forwarded).host == "proxy.internal"
    with override_settings(USE_X_FORWARDED_HOST=True):
        assert described(forwarded).host == "tenant1.example.com"


@pytest.mark.parametrize(
    ("server", "scheme", "host"),
    [
        (("tenant1.example.com", 80), "ws", "tenant1.example.com"),
        (("tenant1.example.com", 443), "wss", "tenant1.example.com"),
        (("tenant1.example.com", 8000), "ws", "tenant1.example.com:8000"),
    ],
)
def test_without_a_host_header_the_server_address_as_django_does(server, scheme, host):
    assert described(scope(server=server, scheme=scheme)).host == host


def test_no_host_at_all_gives_no_request():
    assert described(scope()) is None


def test_the_path_is_below_the_root_path():
    info = described(scope(("host", "t.example.com"), path="/app/t3/ws/", root_path="/app"))
    assert info.path == "/t3/ws/"


def test_headers_are_lowercase_and_repeated_ones_joined():
    info = described(scope(("Host", "t.example.com"), ("X-Tenant", "a"), ("x-tenant", "b")))
    assert info.header("X-Tenant") == "a,b"


@pytest.mark.parametrize(
    ("scheme", "expected"), [("ws", "http"), ("wss", "https"), (None, "http"), ("https", "https")]
)
def test_redirects_are_built_for_the_http_scheme(scheme, expected):
    fields = {"scheme": scheme} if scheme else {}
    assert described(scope(("host", "t.example.com"), **fields)).scheme == expected


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
def test_the_session_named_by_the_cookie_is_read_for_the_session_resolver():
    session = SessionStore()
    session["tenant"] = "tenant1"
    session.save()
    cookie = f"sessionid={session.session_key}"
    info = described(scope(("host", "t.example.com"), ("cookie", cookie)))
    assert info.session("tenant") == "tenant1"
    assert described(scope(("host", "t.example.com"))).session("tenant") is None


@override_settings(SESSION_ENGINE="tenantry_channels_tests.no_such_engine")
def test_the_session_is_opened_only_when_a_resolver_reads_it():
    info = described(scope(("host", "t.example.com"), ("cookie", "sessionid=abc")))
    assert info is not None  # the engine was never imported
    with pytest.raises(ModuleNotFoundError):
        info.session("tenant")


def test_headers_named_with_underscores_are_dropped_as_django_drops_them():
    # Django's ASGI handler refuses the spelling a proxy could not tell from the hyphened one.
    info = described(scope(("host", "t.example.com"), ("x_tenant", "spoofed")))
    assert info.header("X-Tenant") is None


@override_settings(ALLOWED_HOSTS=[".example.com"])
def test_messages_show_the_host_as_sent_even_one_django_refuses():
    assert shown_host(scope_request(scope(("host", "evil.test:8000")))) == "evil.test:8000"
    assert shown_host(scope_request(scope(("host", "ok.example.com")))) == "ok.example.com"
    assert shown_host(scope_request(scope())) == "(no host)"
