"""docs/migrating/django-tenants.md, followed on a database django-tenants built."""

from __future__ import annotations

from collections.abc import Callable

from peerkit import PeerProject, converted, manual_steps

PEER = "dtsite.settings_peer"
TENANTRY = "dtsite.settings_tenantry"
TARGETS = ("main.test/", "acme.test/notes/", "acme-corp.test/notes/", "globex.test/notes/")


def test_the_converter_prints_tenantry_settings_for_a_django_tenants_project(
    peer_project: Callable[[str], PeerProject],
) -> None:
    project = peer_project("django_tenants")

    output = project.run("tenantry_django.convert", settings=PEER, without_peers=True).stdout

    settings = converted(output)
    assert settings["DATABASES"]["default"]["ENGINE"] == "tenantry_django.postgresql"
    assert settings["DATABASE_ROUTERS"] == ["tenantry_django.routers.TenantRouter"]
    assert settings["MIDDLEWARE"] == [
        "tenantry_django.middleware.TenantMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
    assert settings["INSTALLED_APPS"] == [
        "tenantry_django",
        "customers",
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "notes",
        "tenantry_cli",
    ]
    assert settings["TENANTS"] == {
        "public": {
            "APPS": [
                "tenantry_django",
                "customers",
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "tenantry_cli",
            ]
        },
        "default": {
            "TENANT_MODEL": "customers.Client",
            "DOMAIN_MODEL": "customers.Domain",
            "APPS": ["notes"],  # contenttypes stays in public only
        },
    }
    steps = "\n".join(manual_steps(output))
    for unmapped in (
        "django.contrib.contenttypes was in TENANT_APPS",
        "the public tenant row (schema_name='public')",
        "'URLCONF': 'urls_home'",
        "TENANT_LIMIT_SET_CALLS: delete it",
        "SHOW_PUBLIC_IF_NO_TENANT_FOUND: delete it",
        "PUBLIC_SCHEMA_URLCONF: delete it",
        "models: customers.Client subclasses tenantry_django.models.TenantModel",
    ):
        assert unmapped in steps


def test_a_project_without_a_peer_is_refused_by_the_converter(
    peer_project: Callable[[str], PeerProject],
) -> None:
    project = peer_project("django_tenants")
    (project.root / "plain.py").write_text(
        'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.contenttypes"]\n'
        'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n'
    )

    result = project.run("tenantry_django.convert", settings="plain", check=False)

    assert result.returncode == 2
    assert result.stdout == ""
    assert "plain uses neither django-tenants" in result.stderr


def test_tenantry_serves_the_tenants_django_tenants_created(
    peer_project: Callable[[str], PeerProject],
) -> None:
    project = peer_project("django_tenants")
    # django-tenants builds the database: its migrate, its tenants, domains and rows.
    project.manage("makemigrations", "customers", "notes", settings=PEER)
    project.manage("migrate_schemas", settings=PEER)
    project.run("seed", settings=PEER)
    before = project.probe(*TARGETS, "unknown.test/notes/", settings=PEER)
    assert before["hosts"]["acme.test/notes/"]["body"] == {"schema": "acme", "notes": ["a1", "a2"]}
    assert before["counts"] == {"acme": 2, "globex": 3}

    # The guide: drop the public tenant's row while still on django-tenants, switch the
    # models and settings, make and run the models' migration with tenantry.
    project.manage(
        "shell",
        "-c",
        "from customers.models import Client; Client.objects.filter(schema_name='public').delete()",
        settings=PEER,
    )
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
        ":dynamic:",
        "--noinput",
        "migrate",
        settings=TENANTRY,
        without_peers=True,
    )
    project.manage("migrate", "--noinput", settings=TENANTRY, without_peers=True)
    again = project.probe(*TARGETS, settings=TENANTRY, without_peers=True)
    assert again["counts"] == before["counts"]
    assert again["hosts"] == {target: before["hosts"][target] for target in TARGETS}
