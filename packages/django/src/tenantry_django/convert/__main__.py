"""``python -m tenantry_django.convert [--settings mysite.settings]``: see the package."""

from __future__ import annotations

import argparse
import os
import sys

from django.core.exceptions import ImproperlyConfigured

from tenantry_django.convert import NoPeerError, convert_settings

EXIT_NO_PEER = 2
EXIT_UNREADABLE = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tenantry_django.convert",
        description="Print tenantry settings for a project configured for django-tenants or "
        "django-pgschemas, and the steps left to do by hand (# MANUAL: lines).",
    )
    parser.add_argument(
        "--settings",
        help="the project's settings module (default: $DJANGO_SETTINGS_MODULE)",
    )
    options = parser.parse_args(argv)
    module = options.settings or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module:
        parser.error("name the settings module: --settings mysite.settings")
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # like manage.py: the project's package from here
    # Read through django.conf.settings, without django.setup(): no app is imported, so the
    # peer need not be importable and tenantry need not be in INSTALLED_APPS.
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the module)
    except (ImportError, ImproperlyConfigured) as error:
        print(f"error: cannot read settings {module!r}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        conversion = convert_settings(settings, module)
    except NoPeerError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_NO_PEER
    sys.stdout.write(conversion.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
