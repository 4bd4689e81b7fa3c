"""How executors are announced; what an executor does is the CLI package's business."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """One named way of running a command over many tenants.

    ``factory`` builds the executor; its call signature is defined by tenantry-cli.
    """

    name: str
    factory: Callable[..., Any]
    description: str = ""
