"""What a conversion produces: tenantry settings to paste and the steps left to a person."""

from __future__ import annotations

import pprint
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ENGINE", "MIDDLEWARE", "ROUTER", "Conversion", "replace_in_list"]

ENGINE = "tenantry_django.postgresql"
ROUTER = "tenantry_django.routers.TenantRouter"
MIDDLEWARE = "tenantry_django.middleware.TenantMiddleware"


@dataclass
class Conversion:
    """Settings for tenantry, read from a project configured for a peer.

    ``assignments`` are whole settings (``NAME = value``); ``engines`` are the ``DATABASES``
    aliases whose ENGINE changes (only the ENGINE is printed, never credentials); ``manual``
    are the peer settings and APIs with no automatic equivalent, one sentence each.
    """

    peer: str
    settings_module: str
    assignments: dict[str, Any] = field(default_factory=dict)
    engines: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)

    def render(self) -> str:
        """The settings block, ready to paste at the end of the settings module."""
        lines = [
            f"# tenantry settings converted from {self.peer} ({self.settings_module}) by",
            "# `python -m tenantry_django.convert`. Paste at the end of the settings module and",
            f"# delete the {self.peer} settings it replaces (listed below under MANUAL).",
        ]
        for alias in self.engines:
            lines.append(f"DATABASES[{alias!r}][\"ENGINE\"] = {ENGINE!r}")
        for name, value in self.assignments.items():
            lines.append(f"{name} = {_python(value, len(name) + 3)}")
        if self.manual:
            lines.append("")
            lines.append(f"# MANUAL: {len(self.manual)} step(s) the converter cannot do:")
            lines.extend(f"# MANUAL: {step}" for step in self.manual)
        return "\n".join(lines) + "\n"


def _python(value: Any, indent: int) -> str:
    # pprint writes valid Python literals for dicts, lists and strings, sorted=False keeps
    # the order the project wrote (the order of APPS and MIDDLEWARE matters).
    text = pprint.pformat(value, width=96 - indent, sort_dicts=False)
    return text


def replace_in_list(
    items: list[str], replaced: set[str] | frozenset[str], replacement: str | None
) -> list[str]:
    """``items`` with the first of ``replaced`` swapped for ``replacement`` (in its place), the
    others dropped; ``replacement`` is never listed twice."""
    result: list[str] = []
    for item in items:
        if item in replaced:
            if replacement is not None and replacement not in result:
                result.append(replacement)
        elif item not in result:
            result.append(item)
    return result
