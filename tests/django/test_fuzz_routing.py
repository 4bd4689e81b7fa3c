"""Property-based routing: Host headers, folder paths, X-Tenant and session values.

Every request is routed to the tenant its input names, in any spelling a client may use, or
rejected (Django's 400 for a Host it refuses, else a 404): never a 500, never another tenant,
never public. Every statement the driver receives meanwhile is recorded, and no tenant's
schema name, nor any client value, appears in one outside quotes.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import pytest
from django.http.request import split_domain_port
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_harness import recording_driver_executes
from sandbox.customers.models import Domain

from tenantry_django.routing import clear_caches

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ left behind; failures print their example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Host as browsers send it (ASCII) -> tenant, as configured by the ``sites`` fixture and the
# sandbox's static tenants (``www`` on localhost and, as fallback, tenants.localhost).
HOSTS = {
    "acme.fuzz.test": "fz_acme",
    "xn--bcher-kva.fuzz.test": "fz_books",  # stored from "bücher.fuzz.test"
    "www.dubdub.fuzz.test": "fz_dubdub",
    "localhost": "www",
    "tenants.localhost": "www",
    "archive.localhost": "archive",
}
# X-Tenant / session value -> tenant: dynamic schema names, static keys and aliases.
NAMES = {
    "fz_acme": "fz_acme",
    "fz_books": "fz_books",
    "fz_dubdub": "fz_dubdub",
    "fz_folded": "fz_folded",
    "www": "www",
    "main-site": "www",
    "archive": "archive",
}
SCHEMAS = {"fz_acme", "fz_books", "fz_dubdub", "fz_folded", "www", "archive"}


@pytest.fixture
def sites(make_tenant: Any, static_schema: Any) -> None:
    static_schema("www")
    make_tenant("fz_acme", domain="acme.fuzz.test")
    make_tenant("fz_books", domain="bücher.fuzz.test")
    make_tenant("fz_dubdub", domain="www.dubdub.fuzz.test")
    folded = make_tenant("fz_folded")
    Domain.objects.create(tenant=folded, domain="tenants.localhost", folder="folded")
    clear_caches()


# -- what the driver receives --------------------------------------------------------------

_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def bare_words(statement: str) -> set[str]:
    """The words of ``statement`` outside string literals and quoted identifiers."""
    return set(_WORD.findall(_QUOTED.sub(" ", statement)))


def sent_statements() -> contextlib.AbstractContextManager[list[str]]:
    """Every statement text handed to the driver (parameters travel apart), the search-path
    statements tenantry sends in front of queries included."""
    return recording_driver_executes()


def assert_nothing_unquoted(statements: list[str], *client_values: str) -> None:
    for statement in statements:
        assert not bare_words(statement) & SCHEMAS, statement
        for value in client_values:
            assert value not in statement, (value, statement)


# -- requests ------------------------------------------------------------------------------


def page(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    return dict(json.loads(response.content))


def assert_served_as(response: Any, tenant: str | None) -> None:
    """A 404 when ``tenant`` is None, else that tenant's page, run in its schema."""
    if tenant is None:
        assert response.status_code == 404, response.status_code
        return
    body = page(response)
    assert body["tenant"] == tenant
    if tenant != "archive":  # archive lives in the other database; the view asks default
        assert body["schema"] == tenant


def expected_for_host(host: str) -> str | None:
    """The oracle: Django's own host parsing, then the host, then its www. twin."""
    domain, _ = split_domain_port(host)
    domain = domain.rstrip(".")
    if domain in HOSTS:
        return HOSTS[domain]
    twin = domain[4:] if domain.startswith("www.") else f"www.{domain}"
    return HOSTS.get(twin)


@st.composite
def spellings(draw: st.DrawFn, host: str) -> str:
    """``host`` as some client may send it: www. toggled, any case, trailing dot, port."""
    if draw(st.booleans()):
        host = host[4:] if host.startswith("www.") else f"www.{host}"
    host = "".join(c.upper() if draw(st.booleans()) else c for c in host)
    if draw(st.booleans()):
        host += "."
    if draw(st.booleans()):
        host += f":{draw(st.integers(min_value=1, max_value=65535))}"
    return host


@st.composite
def mutated(draw: st.DrawFn, host: str) -> str:
    """``host`` with one character inserted, replaced or removed."""
    position = draw(st.integers(min_value=0, max_value=len(host)))
    character = draw(st.characters(codec="utf-8"))
    how = draw(st.sampled_from(["insert", "replace", "remove"]))
    if how == "insert":
        return host[:position] + character + host[position:]
    if how == "replace":
        return host[:position] + character + host[position + 1 :]
    return host[:position] + host[position + 1 :]


KNOWN = [host for host in HOSTS if host != "tenants.localhost"]  # its own test: folders


@FUZZ
@given(data=st.data(), host=st.sampled_from(KNOWN))
def test_every_spelling_of_a_known_host_reaches_its_tenant(sites, data, host):
    spelled = data.draw(spellings(host), label="spelled")
    with sent_statements() as statements:
        response = Client().get("/", headers={"host": spelled})
    assert_served_as(response, HOSTS[host])
    assert_nothing_unquoted(statements)


ODD_HOSTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-:[]_", max_size=40),
    st.sampled_from(list(HOSTS)).flatmap(mutated),
    st.sampled_from(list(HOSTS)).flatmap(spellings).flatmap(mutated),
)


@FUZZ
@given(host=ODD_HOSTS)
def test_any_host_header_is_served_as_its_tenant_or_refused(sites, host):
    with sent_statements() as statements:
        response = Client().get("/", headers={"host": host})
    if split_domain_port(host)[0] == "":
        assert response.status_code == 400  # DisallowedHost, as plain Django
    else:
        assert_served_as(response, expected_for_host(host))
    assert_nothing_unquoted(statements)


SEGMENTS = st.one_of(
    st.sampled_from(["folded", "www", "posts", "Folded", "folded.", "folded ", "fold", "ww"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#%"), min_size=1),
)


@FUZZ
@given(host=spellings("tenants.localhost"), segment=SEGMENTS)
def test_any_folder_segment_is_served_as_its_tenant_or_a_404(sites, host, segment):
    # www.tenants.localhost too: the folder row and static tenants.localhost/www and the
    # FALLBACK serve it through the www. twin, having no rows of its own.
    with sent_statements() as statements:
        response = Client().get(f"/{segment}/", headers={"host": host})
    if segment == "folded":
        body = page(response)
        assert (body["tenant"], body["schema"], body["folder"]) == ("fz_folded",) * 2 + ("folded",)
    elif segment == "www":
        body = page(response)
        assert (body["tenant"], body["folder"]) == ("www", "www")
    elif segment == "posts":
        assert page(response) == {"posts": []}  # the fallback tenant's own page
    else:
        assert response.status_code == 404  # the fallback tenant's URLconf has no such page
    assert_nothing_unquoted(statements)


CLIENT_VALUES = st.one_of(
    st.sampled_from(list(NAMES)),
    st.sampled_from(list(NAMES)).flatmap(mutated),
    st.text(max_size=80),
    # names next to the valid ones, with bytes PostgreSQL or SQL treat specially
    st.lists(
        st.sampled_from(["fz_acme", "a", "_", "A", "\x00", '"', "'", ";", " "]), max_size=6
    ).map("".join),
    st.from_regex(r"[a-z_][a-z0-9_]{0,70}", fullmatch=True),  # schema-like, some too long
    st.text(min_size=1, max_size=30).map(lambda text: f"zqx{text}"),  # traceable in SQL
)


@FUZZ
@given(value=CLIENT_VALUES)
def test_any_x_tenant_header_is_served_as_its_tenant_or_a_404(sites, value):
    with override_settings(TENANTRY_RESOLVERS=["header"]), sent_statements() as statements:
        response = Client().get("/", headers={"host": "api.fuzz.test", "X-Tenant": value})
    assert_served_as(response, NAMES.get(value))
    assert_nothing_unquoted(statements, *([value] if value.startswith("zqx") else []))


SESSION_VALUES = st.one_of(
    CLIENT_VALUES,
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.sampled_from(list(NAMES)), max_size=2),
    st.dictionaries(st.sampled_from(["name", "schema_name"]), st.sampled_from(list(NAMES))),
)


@FUZZ
@given(value=SESSION_VALUES)
def test_any_session_value_is_served_as_its_tenant_or_a_404(sites, value):
    client = Client()
    session = client.session
    session["tenant"] = value
    session.save()
    with override_settings(TENANTRY_RESOLVERS=["session"]), sent_statements() as statements:
        response = client.get("/", headers={"host": "api.fuzz.test"})
    expected = NAMES.get(value) if isinstance(value, str) else None
    assert_served_as(response, expected)
    traced = [value] if isinstance(value, str) and value.startswith("zqx") else []
    assert_nothing_unquoted(statements, *traced)


def test_the_statement_recorder_sees_the_search_path_statements(sites):
    """The property above is only as good as the recorder: it must see the path."""
    with sent_statements() as statements:
        assert_served_as(Client().get("/", headers={"host": "acme.fuzz.test"}), "fz_acme")
    assert any('"fz_acme"' in statement for statement in statements), statements
    with pytest.raises(AssertionError):
        assert_nothing_unquoted(["SET search_path = fz_acme, public"])
    assert_nothing_unquoted(['SET search_path = "fz_acme", "public"'])
    assert_nothing_unquoted(["SELECT 'fz_acme'::regnamespace"])
