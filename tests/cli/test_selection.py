"""``-s``: every selector form, errors that name the candidates, the prompt and --noinput.

Exercised through ``runschema check``: the summary says which schemas it ran in.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from postgres_harness import AdminConnection
from sandbox.customers.models import Domain

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("static_schemas"),
]

FLEET = ("cli_0", "cli_1", "cli_2")
STATICS = ("public", "www", "other:archive")  # archive lives in the database "other"


def run(*args: str) -> str:
    stdout = io.StringIO()
    call_command("runschema", *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def schema_exists(admin: AdminConnection, schema: str) -> bool:
    row = admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    return bool(row and row[0])


@pytest.fixture
def fleet(make_fleet: Callable[..., list]) -> None:
    """cli_0..cli_2 on ``cli-N.fleet.test``; cli_0 is also served at ``shop.test/eu``."""
    tenants = make_fleet(3)
    Domain.objects.create(tenant=tenants[0], domain="shop.test", folder="eu", is_primary=False)


@pytest.mark.usefixtures("fleet")
@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        pytest.param(["www"], {"www"}, id="static key"),
        pytest.param(["cli_1"], {"cli_1"}, id="dynamic schema name"),
        pytest.param(["cli-2.fl"], {"cli_2"}, id="domain prefix"),
        pytest.param(["archive.local"], {"other:archive"}, id="static domain prefix"),
        pytest.param(["tenants.localhost/www"], {"www"}, id="static domain/folder"),
        pytest.param(["shop.test/eu"], {"cli_0"}, id="dynamic domain/folder"),
        pytest.param([":all:"], {*STATICS, *FLEET}, id=":all:"),
        pytest.param([":static:"], set(STATICS), id=":static:"),
        pytest.param([":dynamic:"], set(FLEET), id=":dynamic:"),
        pytest.param(["www", "cli_1", "cli_1"], {"www", "cli_1"}, id="several, each once"),
    ],
)
def test_selector_runs_exactly_the_tenants_it_names(
    selectors: list[str], expected: set[str], summary: Callable[[str], dict[str, str]]
) -> None:
    out = run("-s", *selectors, "check")

    assert summary(out) == dict.fromkeys(expected, "ok")


@pytest.mark.usefixtures("fleet")
def test_ambiguous_domain_prefix_names_the_candidates_and_runs_nothing(
    admin: AdminConnection,
) -> None:
    with pytest.raises(CommandError) as raised:
        run("-s", "www", "cli-", "check")

    message = str(raised.value)
    assert "'cli-' matches 3 tenants" in message
    for schema in FLEET:
        assert f"{schema} ({schema.replace('_', '-')}.fleet.test" in message
    assert not schema_exists(admin, "www")  # the valid selector before it ran nothing either


@pytest.mark.usefixtures("fleet")
def test_unknown_selector_suggests_close_names_and_runs_nothing(admin: AdminConnection) -> None:
    with pytest.raises(CommandError) as raised:
        run("-s", "www", "cli_9", "check")

    message = str(raised.value)
    assert "No tenant matches 'cli_9'" in message
    assert "Did you mean: cli_" in message
    assert ":all:" in message  # and says what a selector may be
    assert not schema_exists(admin, "www")


@pytest.mark.usefixtures("fleet")
def test_unknown_wildcard_lists_the_wildcards() -> None:
    with pytest.raises(CommandError, match=r"Unknown wildcard ':everything:'.*:all:, :static:"):
        run("-s", ":everything:", "check")


@pytest.mark.usefixtures("fleet")
def test_without_s_the_command_asks(
    monkeypatch: pytest.MonkeyPatch, summary: Callable[[str], dict[str, str]]
) -> None:
    questions: list[str] = []

    def answer(question: str) -> str:
        questions.append(question)
        return "cli_1 www"

    monkeypatch.setattr("builtins.input", answer)

    out = run("check")

    assert summary(out) == {"www": "ok", "cli_1": "ok"}
    assert len(questions) == 1
    assert ":dynamic:" in questions[0]  # the question explains the selectors


@pytest.mark.usefixtures("fleet")
def test_an_empty_answer_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda question: "  ")

    with pytest.raises(CommandError, match="No schema given; nothing was run"):
        run("check")


@pytest.mark.usefixtures("fleet")
def test_noinput_without_s_fails_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_ask(question: str) -> str:
        raise AssertionError("asked despite --noinput")

    monkeypatch.setattr("builtins.input", must_not_ask)

    with pytest.raises(CommandError) as raised:
        run("--noinput", "check")

    assert "No schema given: pass -s/--schema" in str(raised.value)
    assert "nothing was run" in str(raised.value)
