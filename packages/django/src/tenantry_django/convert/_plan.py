"""What a conversion produces: tenantry settings to paste and the steps left to a person."""

from __future__ import annotations

import json
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
            lines.append(f'DATABASES[{_python(alias)}]["ENGINE"] = {_python(ENGINE)}')
        for name, value in self.assignments.items():
            lines.append(f"{name} = {_python(value)}")
        if self.manual:
            lines.append("")
            lines.append(f"# MANUAL: {len(self.manual)} step(s) the converter cannot do:")
            lines.extend(f"# MANUAL: {step}" for step in self.manual)
        return "\n".join(lines) + "\n"


def _python(value: Any, level: int = 0) -> str:
    """``value`` as a Python literal in the layout ruff/black would give it: strings in
    double quotes, a list on one line when it fits, else one item per line."""
    inner, outer = "    " * (level + 1), "    " * level
    if isinstance(value, str):
        return json.dumps(value)  # a valid Python literal for any string
    if isinstance(value, dict) and value:
        items = "".join(
            f"{inner}{_python(key)}: {_python(item, level + 1)},\n" for key, item in value.items()
        )
        return "{\n" + items + outer + "}"
    if isinstance(value, (list, tuple)) and value:
        one_line = "[" + ", ".join(_python(item, level + 1) for item in value) + "]"
        if len(one_line) + len(inner) <= 80 and "\n" not in one_line:
            return one_line
        items = "".join(f"{inner}{_python(item, level + 1)},\n" for item in value)
        return "[\n" + items + outer + "]"
    return repr(value)


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
