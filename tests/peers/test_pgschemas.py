"""docs/migrating/django-pgschemas.md, followed on a database django-pgschemas built."""

from __future__ import annotations

from collections.abc import Callable

from peerkit import PeerProject, converted, manual_steps

PEER = "pgsite.settings_peer"
TENANTRY = "pgsite.settings_tenantry"
TARGETS = (
    "main.test/",
    "main.test/notes/",  # the static tenant www
    "fallback.test/notes/",  # www's FALLBACK_DOMAINS
    "acme.test/notes/",
    "acme-corp.test/notes/",
    "globex.test/notes/",
    "shared.test/globex/notes/",  # a subfolder domain row
)


def test_the_converter_prints_tenantry_settings_for_a_pgschemas_project(
    peer_project: Callable[[str], PeerProject],
) -> None:
    project = peer_project("pgschemas")

    output = project.run("tenantry_django.convert", settings=PEER, without_peers=True).stdout

    settings = converted(output)
    assert settings["DATABASES"]["default"]["ENGINE"] == "tenantry_django.postgresql"
    assert settings["DATABASE_ROUTERS"] == ["tenantry_django.routers.TenantRouter"]
    assert settings["MIDDLEWARE"] == [
        "tenantry_django.middleware.TenantMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
    assert settings["INSTALLED_APPS"] == [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "tenantry_django",
        "customers",
        "notes",
        "tenantry_cli",
    ]
    assert settings["TENANTS"] == {
        "public": {
            "APPS": [
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "django.contrib.sessions",
                "tenantry_django",
                "customers",
                "tenantry_cli",
            ]
        },
        "www": {
            "APPS": ["notes"],
            "URLCONF": "urls_home",
            "DOMAINS": ["main.test"],
            "FALLBACK_DOMAINS": ["fallback.test"],
        },
        "default": {
            "TENANT_MODEL": "customers.Tenant",
            "DOMAIN_MODEL": "customers.Domain",
            "APPS": ["notes"],
            "URLCONF": "urls",
            "CLONE_REFERENCE": "sample",
        },
    }
    assert "TENANTRY_RESOLVERS" not in settings  # the domain resolver is the default
    steps = "\n".join(manual_steps(output))
    for unmapped in (
        "PGSCHEMAS_LIMIT_SET_CALLS: delete it",
        "CLONE_REFERENCE: keeps working",
        "models: customers.Tenant subclasses tenantry_django.models.TenantModel",
    ):
        assert unmapped in steps


def test_tenantry_serves_the_tenants_pgschemas_created(
    peer_project: Callable[[str], PeerProject],
) -> None:
    project = peer_project("pgschemas")
    # django-pgschemas builds the database: its migrate, its tenants, domains and rows.
    project.manage("makemigrations", "customers", "notes", settings=PEER)
    project.manage("migrate", "-as", "--noinput", settings=PEER)
    project.manage("createrefschema", settings=PEER)
    project.run("seed", settings=PEER)
    before = project.probe(*TARGETS, "unknown.test/notes/", settings=PEER)
    assert before["hosts"]["shared.test/globex/notes/"]["body"] == {
        "schema": "globex",
        "notes": ["g1", "g2", "g3"],
    }
    assert before["counts"] == {"acme": 2, "globex": 3, "sample": 0, "www": 1}

    # The guide: switch the models and settings, make and run the models' migration.
    project.switch_models()
    made = project.manage("makemigrations", "customers", settings=TENANTRY, without_peers=True)
    assert "0002_" in made
    project.manage("migrate", "--noinput", settings=TENANTRY, without_peers=True)
    checked = project.run("django", "check", settings=TENANTRY, without_peers=True)
    assert "System check identified no issues" in checked.stdout, checked.stderr

    after = project.probe(*TARGETS, "unknown.test/notes/", settings=TENANTRY, without_peers=True)
    assert after == before
    assert after["hosts"]["unknown.test/notes/"]["status"] == 404

    # Migrating again converges and keeps every row.
    project.manage(
        "runschema",
        "-s",
        ":all:",
        "--noinput",
        "migrate",
        settings=TENANTRY,
        without_peers=True,
    )
    project.manage("migrate", "--noinput", settings=TENANTRY, without_peers=True)
    again = project.probe(*TARGETS, settings=TENANTRY, without_peers=True)
    assert again["counts"] == before["counts"]
    assert again["hosts"] == {target: before["hosts"][target] for target in TARGETS}
