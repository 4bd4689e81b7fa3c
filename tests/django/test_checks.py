"""Every configuration mistake is a system check with an id and a fix."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings

from tenantry_django.checks import (
    check_clone_reference_is_no_dynamic_tenant,
    check_schema_names_in_database,
    check_tenants,
)


def tenants(**changes):
    value = copy.deepcopy(settings.TENANTS)
    for key, entry in changes.items():
        if entry is None:
            value.pop(key, None)
        else:
            value[key] = entry
    return value


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_sandbox_configuration_is_clean():
    assert check_tenants() == []


@pytest.mark.parametrize(
    ("tenants_value", "expected"),
    [
        (None, ["tenantry.E010"]),
        ({"default": {"TENANT_MODEL": "customers.Tenant"}}, ["tenantry.E011"]),
        (tenants(www={"APPS": ["sandbox.blog"], "COLOR": "red"}), ["tenantry.E012"]),
        (tenants(www="not a dict"), ["tenantry.E012"]),
        (tenants(WWW={"APPS": ["sandbox.blog"]}), ["tenantry.E013"]),
        (tenants(pg_main={"APPS": ["sandbox.blog"]}), ["tenantry.E013"]),
        (tenants(default={"TENANT_MODEL": "Tenant", "APPS": []}), ["tenantry.E014"]),
    ],
)
def test_malformed_tenants_settings(tenants_value, expected):
    with override_settings(TENANTS=tenants_value):
        assert ids(check_tenants()) == expected


def test_tenant_model_app_must_be_shared():
    public = {"APPS": [a for a in settings.TENANTS["public"]["APPS"] if a != "sandbox.customers"]}
    with override_settings(TENANTS=tenants(public=public)):
        messages = check_tenants()
    assert ids(messages)[:2] == ["tenantry.E015", "tenantry.E015"]
    assert "customers.Tenant" in messages[0].msg
    assert "public APPS" in messages[0].hint


def test_contenttypes_must_be_shared_only():
    default = {
        **settings.TENANTS["default"],
        "APPS": ["sandbox.notes", "django.contrib.contenttypes"],
    }
    with override_settings(TENANTS=tenants(default=default)):
        assert "tenantry.E016" in ids(check_tenants())


def test_users_and_sessions_must_live_together():
    public = {
        "APPS": [a for a in settings.TENANTS["public"]["APPS"] if a != "django.contrib.sessions"]
    }
    default = {**settings.TENANTS["default"], "APPS": ["sandbox.notes", "django.contrib.sessions"]}
    with override_settings(TENANTS=tenants(public=public, default=default)):
        messages = [m for m in check_tenants() if m.id == "tenantry.E017"]
    assert len(messages) == 1
    assert "['public']" in messages[0].msg
    assert "['default']" in messages[0].msg


def test_extra_search_paths_must_not_be_tenants():
    with override_settings(TENANTRY_EXTRA_SEARCH_PATHS=["extensions", "www", "sample"]):
        messages = [m for m in check_tenants() if m.id == "tenantry.E019"]
    assert [("'www'" in m.msg, "'sample'" in m.msg) for m in messages] == [
        (True, False),
        (False, True),
    ]


def test_apps_listed_but_not_installed():
    default = {**settings.TENANTS["default"], "APPS": ["sandbox.notes", "sandbox.missing"]}
    with override_settings(TENANTS=tenants(default=default)):
        assert "tenantry.E020" in ids(check_tenants())


def test_static_tenant_in_an_unknown_database():
    with override_settings(TENANTS=tenants(www={"APPS": ["sandbox.blog"], "DATABASE": "nope"})):
        assert ids(check_tenants()) == ["tenantry.E021"]


def test_missing_router_and_engine_are_errors():
    databases = copy.deepcopy(settings.DATABASES)
    for database in databases.values():
        database["ENGINE"] = "django.db.backends.postgresql"
    with (
        pytest.warns(UserWarning, match="Overriding setting DATABASES"),
        override_settings(DATABASE_ROUTERS=[], DATABASES=databases),
    ):
        messages = check_tenants()
    assert ids(messages) == ["tenantry.E023", "tenantry.E023", "tenantry.E024"]
    assert all(message.is_serious() for message in messages)  # errors stop manage.py


def test_dynamic_schema_names_clashing_with_static_keys_are_found_in_the_database(make_tenant):
    make_tenant("blog")
    with override_settings(TENANTS=tenants(blog={"APPS": ["sandbox.blog"]})):
        messages = check_schema_names_in_database(databases=["default"])
    assert ids(messages) == ["tenantry.E018"]
    assert "'blog'" in messages[0].msg
    assert check_schema_names_in_database(databases=["default"]) == []


def with_clone_reference(name):
    return tenants(default={**settings.TENANTS["default"], "CLONE_REFERENCE": name})


def test_the_clone_reference_may_not_be_a_static_tenant():
    with override_settings(TENANTS=with_clone_reference("www")):
        messages = check_tenants()
    assert ids(messages) == ["tenantry.E022"]
    assert "is 'www', the schema of static tenant 'www'" in messages[0].msg
    assert "Name a schema no tenant uses" in messages[0].hint


@pytest.mark.django_db
def test_plain_check_finds_a_clone_reference_that_is_a_dynamic_tenant(make_tenant):
    make_tenant("r000")
    with (
        override_settings(TENANTS=with_clone_reference("r000")),
        pytest.raises(SystemCheckError, match=r"tenantry\.E022") as failed,
    ):
        call_command("check")  # no --database: database-tagged checks do not run
    assert "the schema of dynamic tenant 'r000' (database 'default')" in str(failed.value)
    assert "tenantry.E018" not in str(failed.value)  # reported once
    with override_settings(TENANTS=with_clone_reference("r001")):
        assert check_clone_reference_is_no_dynamic_tenant() == []


@pytest.mark.django_db
def test_a_tenant_table_not_migrated_yet_holds_no_such_tenant():
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("ALTER TABLE customers_tenant RENAME TO customers_tenant_later")
    with override_settings(TENANTS=with_clone_reference("r000")):
        assert check_clone_reference_is_no_dynamic_tenant() == []
    with connection.cursor() as cursor:  # the caller's transaction is still usable
        cursor.execute("SELECT 1")


def routing_ids() -> list[str]:
    from tenantry_django.checks import check_routing

    return ids(check_routing())


def test_routing_settings_of_the_sandbox_are_clean():
    assert routing_ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"TENANTRY_RESOLVERS": "domain"}, ["tenantry.E030"]),
        ({"TENANTRY_RESOLVERS": ["domain", "dns"]}, ["tenantry.E031"]),
        ({"MIDDLEWARE": []}, ["tenantry.W010"]),
        (
            {
                "TENANTRY_RESOLVERS": ["session"],
                "MIDDLEWARE": [
                    "tenantry_django.middleware.TenantMiddleware",
                    "django.contrib.sessions.middleware.SessionMiddleware",
                ],
            },
            ["tenantry.E032"],
        ),
        ({"TENANTRY_RESOLVERS": ["session", "example"]}, []),
    ],
)
def test_routing_mistakes_are_reported(overrides, expected):
    with override_settings(**overrides):
        assert routing_ids() == expected


def test_without_database_access_the_clone_reference_check_reports_nothing():
    # pytest-django forbids database access here, as test runners do in tests not asking
    # for it; run_checks() in such a test must not fail.
    assert check_clone_reference_is_no_dynamic_tenant() == []


def without_cli_in_public():
    public = {"APPS": [a for a in settings.TENANTS["public"]["APPS"] if a != "tenantry_cli"]}
    return override_settings(TENANTS=tenants(public=public))


def test_tenantry_cli_need_not_be_listed_and_is_shared(make_tenant):
    """INSTALLED_APPS += ["tenantry_cli"], as the README says, and nothing more."""
    from django.db import router

    from tenantry import tenant_context

    with without_cli_in_public():
        assert check_tenants() == []
        tenant = make_tenant()
        assert router.allow_migrate("default", "tenantry_cli")
        with tenant_context(tenant):
            assert not router.allow_migrate("default", "tenantry_cli")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname FROM pg_tables WHERE tablename = "
            "'tenantry_schema_migration_outcome' AND schemaname IN ('public', %s)",
            [tenant.schema_name],
        )
        assert cursor.fetchall() == [("public",)]


def test_an_app_with_models_listed_nowhere_is_still_warned():
    public = {"APPS": [a for a in settings.TENANTS["public"]["APPS"] if a != "sandbox.customers"]}
    with override_settings(TENANTS=tenants(public=public)):
        assert "tenantry.W003" in ids(check_tenants())


def test_tenantry_cli_in_a_tenant_s_apps_is_an_error():
    default = {**settings.TENANTS["default"], "APPS": ["sandbox.notes", "tenantry_cli"]}
    with override_settings(TENANTS=tenants(default=default)):
        messages = [m for m in check_tenants() if m.id == "tenantry.E025"]
    assert len(messages) == 1
    assert "TENANTS['default'][\"APPS\"] lists 'tenantry_cli'" in messages[0].msg
    assert "remove it from that tenant's APPS" in messages[0].hint
