"""The converter's mapping of settings the two projects do not use, one peer setting each."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tenantry_django.convert import NoPeerError, convert_settings

DJANGO_TENANTS: dict[str, Any] = {
    "INSTALLED_APPS": ["django_tenants", "customers", "django.contrib.contenttypes", "notes"],
    "SHARED_APPS": ["django_tenants", "customers", "django.contrib.contenttypes"],
    "TENANT_APPS": ["notes"],
    "TENANT_MODEL": "customers.Client",
    "TENANT_DOMAIN_MODEL": "customers.Domain",
    "DATABASES": {
        "default": {"ENGINE": "django_tenants.postgresql_backend"},
        "reports": {"ENGINE": "django.db.backends.postgresql"},
    },
    "DATABASE_ROUTERS": ["django_tenants.routers.TenantSyncRouter", "mysite.routers.Reports"],
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "django_tenants.middleware.subfolder.TenantSubfolderMiddleware",
    ],
}
PGSCHEMAS: dict[str, Any] = {
    "INSTALLED_APPS": ["django.contrib.contenttypes", "django_pgschemas", "customers", "notes"],
    "TENANTS": {
        "public": {"APPS": ["django.contrib.contenttypes", "django_pgschemas", "customers"]},
        "default": {
            "TENANT_MODEL": "customers.Tenant",
            "DOMAIN_MODEL": "customers.Domain",
            "APPS": ["notes"],
        },
    },
    "DATABASES": {"default": {"ENGINE": "django_pgschemas.postgresql"}},
    "DATABASE_ROUTERS": ["django_pgschemas.routers.TenantAppsRouter"],
    "MIDDLEWARE": [
        "django_pgschemas.routing.middleware.HeadersRoutingMiddleware",
        "django_pgschemas.routing.middleware.DomainRoutingMiddleware",
    ],
}


def convert(base: dict[str, Any], **extra: Any) -> Any:
    return convert_settings(SimpleNamespace(**base, **extra), "mysite.settings")


def test_django_tenants_settings_with_a_tenantry_setting_are_renamed() -> None:
    conversion = convert(
        DJANGO_TENANTS,
        ORIGINAL_BACKEND="django.contrib.gis.db.backends.postgis",
        PG_EXTRA_SEARCH_PATHS=["extensions"],
        TENANT_MULTIPROCESSING_MAX_PROCESSES=4,
        TENANT_BASE_SCHEMA="empty",
    )

    assert conversion.engines == ["default"]  # "reports" keeps its engine
    assert conversion.assignments["DATABASE_ROUTERS"] == [
        "tenantry_django.routers.TenantRouter",
        "mysite.routers.Reports",
    ]
    assert conversion.assignments["MIDDLEWARE"] == [
        "django.middleware.security.SecurityMiddleware",
        "tenantry_django.middleware.TenantMiddleware",
    ]
    assert conversion.assignments["TENANTRY_ORIGINAL_BACKEND"] == (
        "django.contrib.gis.db.backends.postgis"
    )
    assert conversion.assignments["TENANTRY_EXTRA_SEARCH_PATHS"] == ["extensions"]
    assert conversion.assignments["TENANTRY_PARALLEL_MAX_PROCESSES"] == 4
    assert conversion.assignments["TENANTS"]["default"]["CLONE_REFERENCE"] == "empty"
    assert any(step.startswith("TenantSubfolderMiddleware") for step in conversion.manual)


def test_django_tenants_settings_without_an_equivalent_are_each_named() -> None:
    conversion = convert(
        DJANGO_TENANTS,
        PUBLIC_SCHEMA_NAME="shared",
        SHOW_PUBLIC_IF_NO_TENANT_FOUND=True,
        HAS_MULTI_TYPE_TENANTS=True,
        EXTRA_SET_TENANT_METHOD_PATH="mysite.tenants.set_tenant",
        MULTITENANT_TEMPLATE_DIRS=["templates/%s"],
    )

    named = [step.split(":")[0] for step in conversion.manual]
    for setting in (
        "HAS_MULTI_TYPE_TENANTS",
        "EXTRA_SET_TENANT_METHOD_PATH",
        "MULTITENANT_TEMPLATE_DIRS",
        "SHOW_PUBLIC_IF_NO_TENANT_FOUND",
    ):
        assert setting in named
    assert any('ALTER SCHEMA "shared" RENAME TO public' in step for step in conversion.manual)


def test_pgschemas_header_routing_keeps_the_header_pgschemas_read() -> None:
    conversion = convert(PGSCHEMAS)

    assert conversion.assignments["TENANTRY_RESOLVERS"] == ["header", "domain"]
    assert conversion.assignments["TENANTRY_HEADER"] == "tenant"  # tenantry's default differs
    assert conversion.assignments["MIDDLEWARE"] == ["tenantry_django.middleware.TenantMiddleware"]


def test_pgschemas_tenants_options_tenantry_does_not_know_are_removed_and_named() -> None:
    tenants = {
        **PGSCHEMAS["TENANTS"],
        "www": {"APPS": ["notes"], "DOMAINS": ["example.com"], "LOGO": "www.png"},
    }

    conversion = convert({**PGSCHEMAS, "TENANTS": tenants}, PGSCHEMAS_TENANT_HEADER="x-shop")

    assert conversion.assignments["TENANTS"]["www"] == {
        "APPS": ["notes"],
        "DOMAINS": ["example.com"],
    }
    assert any(step.startswith("TENANTS['www']['LOGO']") for step in conversion.manual)
    assert conversion.assignments["TENANTRY_HEADER"] == "x-shop"
    assert tenants["www"]["LOGO"] == "www.png"  # the project's settings are left as they were


def test_settings_of_neither_peer_are_refused() -> None:
    plain = {
        "INSTALLED_APPS": ["django.contrib.contenttypes"],
        "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql"}},
    }

    with pytest.raises(NoPeerError, match="uses neither django-tenants"):
        convert(plain)


def test_the_printed_block_is_python_that_sets_what_the_conversion_holds() -> None:
    conversion = convert(PGSCHEMAS)
    namespace: dict[str, Any] = {"DATABASES": {"default": {"ENGINE": "peer"}}}

    exec(conversion.render(), namespace)

    assert namespace["DATABASES"]["default"]["ENGINE"] == "tenantry_django.postgresql"
    for name, value in conversion.assignments.items():
        assert namespace[name] == value
