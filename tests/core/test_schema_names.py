from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_harness import connect

from tenantry import (
    SchemaNameError,
    is_valid_schema_name,
    quote_identifier,
    quote_literal,
    validate_schema_name,
)

VALID = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@pytest.mark.parametrize("name", ["a", "_", "tenant_1", "acme", "x" * 63, "_private2"])
def test_valid_names_are_returned_unchanged(name):
    assert validate_schema_name(name) == name
    assert is_valid_schema_name(name)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "it is empty"),
        ("Acme", "must be lowercase (did you mean 'acme'?)"),
        ("1st", "must start with a lowercase letter or an underscore"),
        ("acme-corp", "character '-' at position 4 is not allowed"),
        ("Acme-Corp", "must be lowercase (did you mean 'acme_corp'?)"),
        ("acme corp", "character ' ' at position 4 is not allowed"),
        ('acme"; drop schema public; --', "character '\"' at position 4"),
        ("café", "character 'é' at position 3"),
        ("x" * 64, "is 64 characters long; PostgreSQL identifiers are at most 63"),
        ("pg_catalog", "reserved by PostgreSQL"),
        ("pg_tenant", "reserved by PostgreSQL"),
        ("information_schema", "PostgreSQL system schema"),
        ("public", "holds the shared apps"),
    ],
)
def test_invalid_names_are_rejected_with_the_reason(name, reason):
    with pytest.raises(SchemaNameError) as caught:
        validate_schema_name(name)
    assert reason in str(caught.value)
    assert repr(name) in str(caught.value)
    assert not is_valid_schema_name(name)


@pytest.mark.parametrize(
    ("name", "reserved", "suggestion"),
    [
        ("Acme", (), "acme"),
        ("Acme-Corp", (), "acme_corp"),  # never 'acme-corp', itself invalid
        ("acme-corp", (), "acme_corp"),
        ("acme corp.eu", (), "acme_corp_eu"),
        ("Public", (), None),  # 'public' is not a tenant's
        ("PG_Tenant", (), None),
        ("Www", ("www",), None),  # taken
        ("1st", (), None),
        ("Café", (), None),
    ],
)
def test_a_hint_only_ever_suggests_a_valid_name(name, reserved, suggestion):
    with pytest.raises(SchemaNameError) as caught:
        validate_schema_name(name, reserved=reserved)
    assert caught.value.suggestion == suggestion
    if suggestion is None:
        assert "did you mean" not in str(caught.value)
    else:
        assert str(caught.value).endswith(f"(did you mean {suggestion!r}?)")
        assert validate_schema_name(suggestion, reserved=reserved) == suggestion


def test_public_is_allowed_only_when_asked():
    assert validate_schema_name("public", allow_public=True) == "public"


def test_reserved_names_clash():
    with pytest.raises(SchemaNameError, match="already taken"):
        validate_schema_name("www", reserved={"www", "main"})


def test_non_strings_are_rejected():
    with pytest.raises(SchemaNameError, match="expected a string, got int"):
        validate_schema_name(42)


@given(st.text(max_size=80))
def test_every_string_is_rejected_clearly_or_is_a_lowercase_identifier(text):
    reserved = text.startswith("pg_") or text in {"public", "information_schema"}
    if VALID.fullmatch(text) and not reserved:
        assert validate_schema_name(text) == text
    else:
        with pytest.raises(SchemaNameError) as caught:
            validate_schema_name(text)
        assert caught.value.name == text
        assert caught.value.reason
        assert str(caught.value).startswith(f"Invalid schema name {text!r}: ")


@given(st.from_regex(VALID, fullmatch=True))
def test_every_identifier_matching_the_rule_is_accepted_unless_reserved(text):
    reserved = text.startswith("pg_") or text in {"public", "information_schema"}
    assert is_valid_schema_name(text) is not reserved


def test_quote_identifier_doubles_quotes():
    assert quote_identifier('we"ird') == '"we""ird"'
    assert quote_identifier("tenant") == '"tenant"'


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("a\x00b", "NUL character"),
        ("é" * 32, "is 64 bytes long"),
        ("\ud800", "not valid UTF-8"),
    ],
)
def test_quote_identifier_refuses_what_postgres_would_not_keep_intact(name, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        quote_identifier(name)


@pytest.fixture(scope="module")
def server_connection(fresh_database):
    with connect(fresh_database) as connection:
        yield connection


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=70))
def test_quoting_always_yields_exactly_one_identifier_on_the_real_server(server_connection, text):
    try:
        quoted = quote_identifier(text)
    except ValueError:
        assert "\x00" in text or len(text.encode("utf-8", "surrogatepass")) > 63
        return
    # If the quoted text broke out of its identifier, the statement would fail, yield more
    # than one column, or name the column differently.
    cursor = server_connection.execute(f"SELECT 1 AS {quoted}")  # the quoting under test
    assert [column.name for column in cursor.description] == [text]
    assert cursor.fetchall() == [(1,)]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("tenant", "'tenant'"),
        ("it's", "'it''s'"),
        ("", "''"),
        ('"acme", "public"', '\'"acme", "public"\''),
        ("back\\slash", "E'back\\\\slash'"),
        ("it's a \\", "E'it''s a \\\\'"),
    ],
)
def test_quote_literal_doubles_quotes_and_escapes_backslashes(text, quoted):
    assert quote_literal(text) == quoted


@pytest.mark.parametrize(
    ("text", "message"), [("a\x00b", "NUL character"), ("\ud800", "not valid UTF-8")]
)
def test_quote_literal_refuses_what_no_string_constant_holds(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        quote_literal(text)


def test_quote_literal_takes_only_text():
    with pytest.raises(TypeError, match="literal must be a string, got int"):
        quote_literal(5)  # type: ignore[arg-type]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=70), st.booleans())
def test_a_quoted_literal_reads_back_as_the_text_on_the_real_server(
    server_connection, text, standard_conforming_strings
):
    try:
        quoted = quote_literal(text)
    except ValueError:
        assert "\x00" in text
        return
    setting = "on" if standard_conforming_strings else "off"
    server_connection.execute(f"SET standard_conforming_strings = {setting}")
    try:
        # A literal that broke out of its quotes would fail, yield more than one column or
        # another value.
        cursor = server_connection.execute(f"SELECT {quoted}")  # the quoting under test
        assert cursor.fetchall() == [(text,)]
    finally:
        server_connection.execute("RESET standard_conforming_strings")
