"""The plugin manager: entry points of group ``tenantry``, dotted paths, blocked names.

Plugins are loaded once, lazily, on first use; ``configure_plugins`` (called by the Django
app from settings) replaces the configuration and rebuilds the manager on next use.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

import pluggy

from tenantry import _hookspecs
from tenantry._catalog import TenantCatalog
from tenantry._executors import ExecutorSpec
from tenantry._resolution import ResolverSpec

__all__ = [
    "ActivationListeners",
    "PluginError",
    "PluginInfo",
    "activation_listeners",
    "activation_listeners_changed",
    "configure_plugins",
    "get_executors",
    "get_plugin_manager",
    "get_resolvers",
    "get_tenant_catalog",
    "import_object",
    "list_plugins",
]

_ENTRY_POINT_GROUP = "tenantry"


class PluginError(RuntimeError):
    """A plugin could not be loaded or contradicts another; the message names it."""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    source: str  # "entry point (dist version)" or "dotted path"
    hooks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _PluginConfig:
    extra: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    load_entry_points: bool = True


_lock = threading.RLock()
_config = _PluginConfig()
_manager: pluggy.PluginManager | None = None


def import_object(dotted_path: str) -> object:
    """Import ``package.module`` or ``package.module:attribute`` / ``package.module.attribute``."""
    module_name, colon, attribute = dotted_path.partition(":")
    try:
        if colon:
            return getattr(importlib.import_module(module_name), attribute)
        try:
            return importlib.import_module(dotted_path)
        except ModuleNotFoundError as error:
            parent, _, attribute = dotted_path.rpartition(".")
            if not parent or error.name != dotted_path:
                raise
            return getattr(importlib.import_module(parent), attribute)
    except (ImportError, AttributeError) as error:
        raise PluginError(f"Cannot import tenantry plugin {dotted_path!r}: {error}") from error


class ActivationListeners:
    """Whether any plugin listens to activations (``tenantry_tenant_activated`` and
    ``tenantry_tenant_deactivated``), read on every activation: ``quiet`` is True when
    nothing listens, so activating calls nothing; None while unknown.

    A hook implementation may carry ``tenantry_listening``, a callable saying whether it
    wants calls now (tenantry_django's: whether ``schema_activated`` has receivers); its
    plugin calls :func:`activation_listeners_changed` when that answer may have changed.
    Registering or unregistering a plugin, and reconfiguring the plugins, do that too.
    """

    __slots__ = ("quiet",)

    def __init__(self) -> None:
        self.quiet: bool | None = None

    def known_quiet(self, manager: pluggy.PluginManager) -> bool:
        """``quiet``, worked out again if unknown."""
        quiet = self.quiet
        if quiet is None:
            with _lock:  # a change meanwhile waits, then makes it unknown again
                quiet = self.quiet = not (
                    _listening(manager.hook.tenantry_tenant_activated)
                    or _listening(manager.hook.tenantry_tenant_deactivated)
                )
        return quiet


def _listening(caller: pluggy.HookCaller) -> bool:
    for impl in caller.get_hookimpls():
        wants_calls = getattr(impl.function, "tenantry_listening", None)
        if wants_calls is None or wants_calls():
            return True
    return False


activation_listeners = ActivationListeners()


def activation_listeners_changed() -> None:
    """A plugin's ``tenantry_listening`` answer may have changed: ask again at the next
    activation (see :class:`ActivationListeners`)."""
    with _lock:
        activation_listeners.quiet = None


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, telling activations when plugins come and go."""

    def register(self, plugin: object, name: str | None = None) -> str | None:
        try:
            return super().register(plugin, name)
        finally:
            activation_listeners_changed()

    def unregister(self, plugin: object | None = None, name: str | None = None) -> object | None:
        try:
            return super().unregister(plugin, name)
        finally:
            activation_listeners_changed()


def _build(config: _PluginConfig) -> pluggy.PluginManager:
    manager = _PluginManager(_hookspecs.PROJECT_NAME)
    manager.add_hookspecs(_hookspecs)
    for name in config.blocked:
        manager.set_blocked(name)
    if config.load_entry_points:
        try:
            manager.load_setuptools_entrypoints(_ENTRY_POINT_GROUP)
        except (ImportError, AttributeError, ValueError) as error:
            message = f"Loading tenantry plugins from entry points failed: {error}"
            raise PluginError(message) from error
    for dotted_path in config.extra:
        if manager.is_blocked(dotted_path) or manager.has_plugin(dotted_path):
            continue
        manager.register(import_object(dotted_path), name=dotted_path)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"Plugin {error.plugin!r} implements an unknown hook: {error}") from error
    return manager


def configure_plugins(
    *, extra: Iterable[str] = (), blocked: Iterable[str] = (), load_entry_points: bool = True
) -> None:
    """Set which plugins load besides entry points, and which are blocked by name."""
    global _config, _manager
    with _lock:
        _config = _PluginConfig(tuple(extra), tuple(blocked), load_entry_points)
        _manager = None
        activation_listeners.quiet = None


def get_plugin_manager() -> pluggy.PluginManager:
    manager = _manager
    if manager is not None:
        return manager
    return _load()


def _load() -> pluggy.PluginManager:
    global _manager
    with _lock:
        if _manager is None:
            _manager = _build(_config)
        return _manager


def list_plugins() -> list[PluginInfo]:
    """Every registered plugin with where it came from and the hooks it implements."""
    manager = get_plugin_manager()
    distributions = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    result = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist = distributions.get(id(plugin))
        if dist is not None:
            source = f"entry point ({dist.project_name} {dist.version})"
        else:
            source = "dotted path"
        callers = manager.get_hookcallers(plugin) or []
        result.append(PluginInfo(name, source, tuple(sorted(c.name for c in callers))))
    return sorted(result, key=lambda info: info.name)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_Spec = TypeVar("_Spec", bound=_Named)


def _announced(hook_name: str, kind: str) -> dict[str, _Spec]:
    """What every plugin announces through a registry hook, by name, sorted.

    pluggy calls each plugin's implementation on its own (a subset caller without the others),
    so a name announced twice can name both plugins; the user then blocks one of them.
    """
    manager = get_plugin_manager()
    implementers = [impl.plugin for impl in getattr(manager.hook, hook_name).get_hookimpls()]
    owners: dict[str, str] = {}
    announced: dict[str, _Spec] = {}
    for plugin in implementers:
        others = [other for other in implementers if other is not plugin]
        caller = manager.subset_hook_caller(hook_name, remove_plugins=others)
        plugin_name = manager.get_name(plugin) or repr(plugin)
        for specs in caller():
            for spec in cast(Iterable[_Spec], specs or ()):
                if spec.name in announced:
                    raise PluginError(
                        f"{kind} {spec.name!r} is registered by both {owners[spec.name]!r} and "
                        f"{plugin_name!r}; block one of them by name"
                    )
                owners[spec.name] = plugin_name
                announced[spec.name] = spec
    return dict(sorted(announced.items()))


def get_executors() -> dict[str, ExecutorSpec]:
    """Executors announced by every plugin, by name; two with one name is an error."""
    return _announced("tenantry_register_executors", "Executor")


def get_resolvers() -> dict[str, ResolverSpec]:
    """Resolvers announced by every plugin, by name; two with one name is an error."""
    return _announced("tenantry_register_resolvers", "Resolver")


def get_tenant_catalog() -> TenantCatalog:
    catalog = get_plugin_manager().hook.tenantry_tenant_catalog()
    if catalog is None:
        raise PluginError(
            "No tenant catalog is registered: install tenantry-django and add "
            "'tenantry_django' to INSTALLED_APPS, or register a plugin implementing "
            "tenantry_tenant_catalog"
        )
    return cast(TenantCatalog, catalog)
