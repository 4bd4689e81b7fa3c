"""Every setting tenantry reads, in one object: ``TENANTS`` and each ``TENANTRY_*`` setting.

``get_settings()`` returns the current :class:`TenantrySettings`. Each value is read from
``django.conf.settings`` on first use and kept; one ``setting_changed`` receiver
(:func:`on_setting_changed`, connected when the app is ready) drops the whole object when any
setting it depends on changes, so ``override_settings`` works everywhere. Caches computed from
settings hang off the object (:meth:`TenantrySettings.derived`) and are dropped with it.
"""

from __future__ import annotations

import functools
import operator
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from tenantry_django._conf import TenancyConfig, parse_tenants

__all__ = [
    "DEFAULT_CACHE_SECONDS",
    "DEFAULT_HEADER",
    "DEFAULT_ORIGINAL_BACKEND",
    "DEFAULT_RECYCLE_AFTER_SCHEMAS",
    "DEFAULT_RESOLVERS",
    "DEFAULT_SESSION_KEY",
    "TenantrySettings",
    "configure_plugins",
    "get_settings",
    "on_setting_changed",
]

DEFAULT_RESOLVERS = ("domain",)
DEFAULT_HEADER = "X-Tenant"
DEFAULT_SESSION_KEY = "tenant"
DEFAULT_CACHE_SECONDS = 10.0
DEFAULT_ORIGINAL_BACKEND = "django.db.backends.postgresql"
#: A PostgreSQL backend keeps ~0.25 MiB of catalog caches per schema it served (issue 16).
DEFAULT_RECYCLE_AFTER_SCHEMAS = 100

#: Django's own settings that tenantry derives values from (app labels, host validation).
_DJANGO_SETTINGS_READ = frozenset(
    {"INSTALLED_APPS", "ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST", "ROOT_URLCONF"}
    | {"MIGRATION_MODULES"}  # with INSTALLED_APPS: the project's migrations
)
_PLUGIN_SETTINGS = frozenset({"TENANTRY_PLUGINS", "TENANTRY_BLOCKED_PLUGINS"})

_Value = TypeVar("_Value")


def _is_recycle_limit(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1)


def _read(name: str, default: Any = None) -> Any:
    return getattr(django_settings, name, default)


class TenantrySettings:
    """The values of tenantry's settings, each read once, on first use."""

    def __init__(self) -> None:
        self._derived: dict[str, Any] = {}
        # Reentrant: a value may be built from another derived value (in the same thread).
        self._lock = threading.RLock()

    # -- TENANTS ------------------------------------------------------------------------------

    @property
    def raw_tenants(self) -> Any:
        """``settings.TENANTS`` as written (``None`` when missing); the checks judge it."""
        return _read("TENANTS")

    @functools.cached_property
    def tenants(self) -> TenancyConfig:
        """``TENANTS`` parsed; ``ImproperlyConfigured`` when it is unusable."""
        return parse_tenants(self.raw_tenants, self.extra_search_paths)

    # -- the database backend -----------------------------------------------------------------

    @functools.cached_property
    def extra_search_paths(self) -> tuple[str, ...]:
        value = _read("TENANTRY_EXTRA_SEARCH_PATHS", ())
        return tuple(str(item) for item in value) if isinstance(value, (list, tuple)) else ()

    @functools.cached_property
    def original_backend(self) -> str:
        return str(_read("TENANTRY_ORIGINAL_BACKEND") or DEFAULT_ORIGINAL_BACKEND)

    @property
    def raw_transaction_pooling(self) -> Any:
        """``settings.TENANTRY_TRANSACTION_POOLING`` as written; the checks judge it."""
        return _read("TENANTRY_TRANSACTION_POOLING", False)

    def transaction_pooling(self, alias: str) -> bool:
        """Whether ``alias`` reaches PostgreSQL through a transaction-level pooler.

        ``TENANTRY_TRANSACTION_POOLING`` is ``True`` (every alias), ``False`` (the default) or
        a list of aliases.
        """
        value = self.raw_transaction_pooling
        if isinstance(value, bool):
            return value
        if isinstance(value, (list, tuple, set, frozenset)):
            return alias in value
        raise ImproperlyConfigured(
            f"TENANTRY_TRANSACTION_POOLING must be True, False or a list of database aliases, "
            f"got {value!r}."
        )

    @property
    def raw_recycle_after_schemas(self) -> Any:
        """``settings.TENANTRY_RECYCLE_AFTER_SCHEMAS`` as written; the checks judge it."""
        return _read("TENANTRY_RECYCLE_AFTER_SCHEMAS", DEFAULT_RECYCLE_AFTER_SCHEMAS)

    @functools.cached_property
    def _recycle_limits(self) -> tuple[int | None, dict[str, int | None]]:
        """(the limit of aliases not listed, {alias: its limit}) from the setting."""
        value = self.raw_recycle_after_schemas
        if isinstance(value, dict):
            for alias, limit in value.items():
                if not isinstance(alias, str) or not _is_recycle_limit(limit):
                    raise ImproperlyConfigured(
                        "TENANTRY_RECYCLE_AFTER_SCHEMAS as a dict maps database aliases to a "
                        "number of schemas (an int >= 1) or None, got "
                        f"{alias!r}: {limit!r} (tenantry.E060)."
                    )
            return DEFAULT_RECYCLE_AFTER_SCHEMAS, dict(value)
        if not _is_recycle_limit(value):
            raise ImproperlyConfigured(
                "TENANTRY_RECYCLE_AFTER_SCHEMAS must be a number of schemas (an int >= 1), "
                f"None to never recycle, or a dict of database alias to either, got {value!r} "
                "(tenantry.E060)."
            )
        return value, {}

    def recycle_after_schemas(self, alias: str) -> int | None:
        """``TENANTRY_RECYCLE_AFTER_SCHEMAS`` for ``alias``: a connection whose server session
        has served more tenant schemas than this is closed at the next request boundary;
        None: never. The setting is a limit for every alias or a dict ``{alias: limit}``
        (aliases it does not name keep the default, ``DEFAULT_RECYCLE_AFTER_SCHEMAS``)."""
        default, per_alias = self._recycle_limits
        return per_alias.get(alias, default)

    # -- routing ------------------------------------------------------------------------------

    @property
    def raw_resolvers(self) -> Any:
        """``settings.TENANTRY_RESOLVERS`` as written; the checks judge it."""
        return _read("TENANTRY_RESOLVERS", list(DEFAULT_RESOLVERS))

    @functools.cached_property
    def resolvers(self) -> tuple[str, ...]:
        """``TENANTRY_RESOLVERS``: resolver names in the order they are asked."""
        return tuple(self.raw_resolvers)

    @functools.cached_property
    def resolver_cache_seconds(self) -> float:
        return float(_read("TENANTRY_RESOLVER_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))

    @functools.cached_property
    def header(self) -> str:
        return str(_read("TENANTRY_HEADER", DEFAULT_HEADER))

    @functools.cached_property
    def session_key(self) -> str:
        return str(_read("TENANTRY_SESSION_KEY", DEFAULT_SESSION_KEY))

    @functools.cached_property
    def unknown_host_view(self) -> str | None:
        return _read("TENANTRY_UNKNOWN_HOST_VIEW") or None

    # -- plugins and commands -----------------------------------------------------------------

    @property
    def raw_plugins(self) -> Any:
        """``settings.TENANTRY_PLUGINS`` as written; the checks judge it."""
        return _read("TENANTRY_PLUGINS", ())

    @property
    def raw_blocked_plugins(self) -> Any:
        """``settings.TENANTRY_BLOCKED_PLUGINS`` as written; the checks judge it."""
        return _read("TENANTRY_BLOCKED_PLUGINS", ())

    @functools.cached_property
    def plugins(self) -> tuple[str, ...]:
        return tuple(self.raw_plugins)

    @functools.cached_property
    def blocked_plugins(self) -> tuple[str, ...]:
        return tuple(self.raw_blocked_plugins)

    @functools.cached_property
    def parallel_max_processes(self) -> int | None:
        return cast(int | None, _read("TENANTRY_PARALLEL_MAX_PROCESSES"))

    @functools.cached_property
    def tasks_per_process(self) -> int | None:
        return cast(int | None, _read("TENANTRY_TASKS_PER_PROCESS"))

    # -- the spare-schema pool ----------------------------------------------------------------

    @property
    def raw_spare_schemas(self) -> Any:
        """``settings.TENANTRY_SPARE_SCHEMAS`` as written; the checks judge it."""
        return _read("TENANTRY_SPARE_SCHEMAS", 0)

    def spare_schemas(self, alias: str) -> int:
        """How many spare schemas to keep in ``alias``: ``TENANTRY_SPARE_SCHEMAS`` is an int
        (every database dynamic tenants are created in) or a dict ``{alias: int}``; 0 is off."""
        value = self.raw_spare_schemas
        if isinstance(value, dict):
            value = value.get(alias, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ImproperlyConfigured(
                "TENANTRY_SPARE_SCHEMAS must be a count (an int >= 0) or a dict of database "
                f"alias to count, got {self.raw_spare_schemas!r} (tenantry.E070)."
            )
        return value

    @functools.cached_property
    def spare_refill_in_background(self) -> bool:
        """``TENANTRY_SPARE_REFILL_IN_BACKGROUND``: refill after each claim, in a thread."""
        return bool(_read("TENANTRY_SPARE_REFILL_IN_BACKGROUND", False))

    # -- caches computed from these settings --------------------------------------------------

    def derived(self, name: str, build: Callable[[], _Value]) -> _Value:
        """``build()``, computed once for these settings and dropped when a setting changes."""
        try:
            return cast(_Value, self._derived[name])
        except KeyError:
            pass
        with self._lock:
            if name not in self._derived:
                self._derived[name] = build()
            return cast(_Value, self._derived[name])


class _Holder:
    __slots__ = ("current",)

    def __init__(self) -> None:
        self.current = TenantrySettings()


_holder = _Holder()

#: ``get_settings()``: the settings in force now (a new object after any relevant setting
#: changed). Asked several times per request and query, so it is an attribute read made in C
#: (no Python call of its own), like core's ``get_current_tenant``.
get_settings: Callable[[], TenantrySettings] = functools.partial(
    operator.attrgetter("current"), _holder
)


def _replace() -> TenantrySettings:
    _holder.current = TenantrySettings()
    return _holder.current


def _watched(setting: str) -> bool:
    return (
        setting == "TENANTS"
        or setting.startswith("TENANTRY_")
        or (setting in _DJANGO_SETTINGS_READ)
    )


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    """The one ``setting_changed`` receiver: forget every value read and derived."""
    if not _watched(setting):
        return
    _replace()
    if setting in _PLUGIN_SETTINGS:
        configure_plugins()


def configure_plugins() -> None:
    """Hand ``TENANTRY_PLUGINS`` and ``TENANTRY_BLOCKED_PLUGINS`` to core's plugin manager."""
    import tenantry

    current = get_settings()
    tenantry.configure_plugins(extra=current.plugins, blocked=current.blocked_plugins)
