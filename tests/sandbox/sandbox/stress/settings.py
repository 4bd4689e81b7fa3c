"""Settings of the stress run (``hatch run stress`` and the ASGI server it starts): the
sandbox's, in one database, with the stress endpoints as the dynamic tenants' URLconfs."""

from sandbox.settings import *  # noqa: F403
from sandbox.settings import DATABASES, TENANTS
from sandbox.stress.conf import stress_tenants

TENANTS = stress_tenants({key: value for key, value in TENANTS.items() if key != "archive"})
DATABASES = {"default": DATABASES["default"]}
