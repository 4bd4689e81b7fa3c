"""Settings of the demo site: the sandbox project with HTML pages, in one database."""

from sandbox.settings import *  # noqa: F403
from sandbox.settings import DATABASES, TENANTS

DEBUG = False
TENANTS = {key: value for key, value in TENANTS.items() if key != "archive"}
TENANTS["www"] = {
    "APPS": ["sandbox.blog"],
    "URLCONF": "sandbox.demo_views",
    "DOMAINS": ["localhost"],
}
TENANTS["default"] = {**TENANTS["default"], "URLCONF": "sandbox.demo_views"}
DATABASES = {"default": DATABASES["default"]}
CONN_MAX_AGE = 60
