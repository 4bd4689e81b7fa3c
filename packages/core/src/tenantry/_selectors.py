"""One selector parser for every command: which tenants does ``-s ...`` mean?

A selector is a wildcard (``:all:``, ``:static:``, ``:dynamic:``), a static key, a dynamic
schema name, ``domain/folder``, or the prefix of a domain that matches exactly one tenant.
Every selector is checked before anything is returned, so bad input selects nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from tenantry._catalog import CatalogEntry, TenantCatalog, TenantKind
from tenantry._plugins import get_tenant_catalog

__all__ = ["AmbiguousSelectorError", "SelectorError", "UnknownSelectorError", "select_tenants"]

_WILDCARDS: dict[str, frozenset[TenantKind]] = {
    ":all:": frozenset(TenantKind),
    ":static:": frozenset({TenantKind.STATIC}),
    ":dynamic:": frozenset({TenantKind.DYNAMIC}),
}
_HELP = (
    "A selector is a static key, a dynamic schema name, a domain prefix matching one tenant, "
    "domain/folder, or one of " + ", ".join(_WILDCARDS) + "."
)


class SelectorError(ValueError):
    """A selector that does not name exactly what it should; nothing was selected."""

    def __init__(self, selector: str, message: str, candidates: Sequence[str] = ()) -> None:
        self.selector = selector
        self.candidates = tuple(candidates)
        super().__init__(message)


class UnknownSelectorError(SelectorError):
    pass


class AmbiguousSelectorError(SelectorError):
    pass


def _distinct(entries: Iterable[CatalogEntry]) -> list[CatalogEntry]:
    seen: set[tuple[TenantKind, str]] = set()
    result = []
    for entry in entries:
        identity = (entry.kind, entry.key)
        if identity not in seen:
            seen.add(identity)
            result.append(entry)
    return result


def _split_domain(domain: str) -> tuple[str, str | None]:
    host, _, folder = domain.partition("/")
    return host, folder or None


def _by_domain(selector: str, entries: Sequence[CatalogEntry]) -> list[CatalogEntry]:
    wanted = selector.lower().rstrip("/")
    if not wanted:  # only slashes: every host starts with "", and names nothing
        return []
    if "/" in wanted:
        return _distinct(e for e in entries if wanted in e.domains)
    exact = _distinct(e for e in entries if any(_split_domain(d)[0] == wanted for d in e.domains))
    if exact:
        return exact
    return _distinct(
        e for e in entries if any(_split_domain(d)[0].startswith(wanted) for d in e.domains)
    )


def _unknown(selector: str, entries: Sequence[CatalogEntry]) -> UnknownSelectorError:
    names = [e.key for e in entries] + [d for e in entries for d in e.domains]
    close = difflib.get_close_matches(selector, names, n=5, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return UnknownSelectorError(
        selector, f"No tenant matches {selector!r}.{hint} {_HELP}", candidates=close
    )


def _match_one(selector: str, entries: Sequence[CatalogEntry]) -> list[CatalogEntry]:
    if not selector.strip():
        raise UnknownSelectorError(selector, f"Empty selector. {_HELP}")
    if selector.startswith(":") and selector.endswith(":") and len(selector) > 1:
        kinds = _WILDCARDS.get(selector)
        if kinds is None:
            raise UnknownSelectorError(
                selector,
                f"Unknown wildcard {selector!r}; use one of {', '.join(_WILDCARDS)}.",
                candidates=tuple(_WILDCARDS),
            )
        return [e for e in entries if e.kind in kinds]

    by_key = _distinct(e for e in entries if e.key == selector)
    matches = by_key or _by_domain(selector, entries)
    if len(matches) == 1:
        return matches
    if not matches:
        raise _unknown(selector, entries)
    labels = [m.label() for m in matches]
    raise AmbiguousSelectorError(
        selector,
        f"{selector!r} matches {len(matches)} tenants: {'; '.join(labels)}. "
        "Use the schema name or a longer domain.",
        candidates=[m.key for m in matches],
    )


def select_tenants(
    selectors: Iterable[str], catalog: TenantCatalog | None = None
) -> list[CatalogEntry]:
    """The tenants ``selectors`` name, in catalog order, each once.

    ``catalog`` defaults to the one a plugin supplies (``tenantry_tenant_catalog``).

    Raises :class:`UnknownSelectorError` or :class:`AmbiguousSelectorError` for the first
    selector that does not name exactly what it should.
    """
    wanted = list(selectors)
    if not wanted:
        raise UnknownSelectorError("", f"No selector given. {_HELP}")
    if catalog is None:
        catalog = get_tenant_catalog()
    entries = list(catalog.entries())
    chosen: set[tuple[TenantKind, str]] = set()
    for selector in wanted:
        chosen.update((e.kind, e.key) for e in _match_one(selector, entries))
    return [e for e in _distinct(entries) if (e.kind, e.key) in chosen]
