"""The statements pointing a connection at a schema: their exact text, per scope, and their
cache, kept with the settings object (a changed ``TENANTRY_EXTRA_SEARCH_PATHS`` rebuilds it)."""

from __future__ import annotations

from django.test import override_settings

from tenantry_django.postgresql import _path_statements
from tenantry_django.postgresql._path_statements import PathStatements, path_statements

PATH = '"acme", "public", "ext"'


def test_session_statements_set_the_path_for_the_server_session():
    session = PathStatements(("ext",)).session
    assert session.set["acme"] == f"SET search_path = {PATH}"
    assert session.checked["acme"] == (
        f"SELECT 'acme'::regnamespace, pg_catalog.set_config('search_path', '{PATH}', false)"
    )


def test_transaction_statements_set_the_path_for_the_transaction_only():
    transaction = PathStatements(("ext",)).transaction
    assert transaction.set["acme"] == f"SET LOCAL search_path = {PATH}"
    assert transaction.checked["acme"] == (
        f"SELECT 'acme'::regnamespace, pg_catalog.set_config('search_path', '{PATH}', true)"
    )


def test_the_check_alone_returns_no_rows_and_fails_for_a_missing_schema():
    assert PathStatements().check["acme"] == "SELECT WHERE 'acme'::regnamespace IS NULL"


def test_public_leads_a_path_without_tenant_and_extras_are_not_repeated():
    statements = PathStatements(("ext", "public", "acme"))
    assert statements.search_path("public") == ("public", "ext", "acme")
    assert statements.search_path("acme") == ("acme", "public", "ext")
    assert statements.session.set["public"] == 'SET search_path = "public", "ext", "acme"'


def test_names_are_quoted_as_identifiers_and_as_literals():
    statements = PathStatements(('Odd "name"',))
    quoted = '"We\'re", "public", "Odd ""name"""'
    assert statements.quoted_path("We're") == quoted
    assert statements.session.checked["We're"] == (
        "SELECT 'We''re'::regnamespace, pg_catalog.set_config('search_path', "
        '\'"We\'\'re", "public", "Odd ""name"""\', false)'
    )
    assert statements.session.set["We're"] == f"SET search_path = {quoted}"


def test_each_statement_is_built_once():
    statements = PathStatements()
    first = statements.session.set["acme"]
    assert statements.session.set["acme"] is first
    assert list(statements.session.set) == ["acme"]
    assert list(statements.transaction.set) == []


def test_a_full_table_starts_over_and_rebuilds_what_is_asked_again(monkeypatch):
    # A process that visits every tenant of a large fleet keeps a bounded number of statements.
    monkeypatch.setattr(_path_statements, "MAX_SCHEMAS", 3)
    statements = PathStatements()
    for schema in ("a", "b", "c"):
        statements.session.set[schema]
    assert list(statements.session.set) == ["a", "b", "c"]
    assert statements.session.set["d"] == 'SET search_path = "d", "public"'
    assert list(statements.session.set) == ["d"]
    assert statements.session.set["a"] == 'SET search_path = "a", "public"'
    assert list(statements.session.set) == ["d", "a"]


def test_the_statements_are_kept_until_a_setting_changes():
    before = path_statements()
    assert path_statements() is before
    assert before.extras == ()
    with override_settings(TENANTRY_EXTRA_SEARCH_PATHS=["ext"]):
        changed = path_statements()
        assert changed is not before
        assert changed.session.set["acme"] == f"SET search_path = {PATH}"
    after = path_statements()
    assert after is not changed
    assert after.session.set["acme"] == 'SET search_path = "acme", "public"'
