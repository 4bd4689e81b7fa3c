"""The database the tests created, from the environment (each project's settings read it)."""

import os

from postgres_harness import django_database_settings

DATABASE = django_database_settings(os.environ["PEERS_DATABASE_URL"])
