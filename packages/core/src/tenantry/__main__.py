"""``python -m tenantry``: which plugins, resolvers and executors this environment has."""

from __future__ import annotations

import sys

from tenantry._plugins import PluginError, get_executors, get_resolvers, list_plugins

__all__ = ["main"]


def main() -> int:
    try:
        plugins = list_plugins()
        executors = get_executors()
        resolvers = get_resolvers()
    except PluginError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("plugins (entry-point group 'tenantry'):")
    for info in plugins:
        print(f"  {info.name}  [{info.source}]")
        for hook in info.hooks:
            print(f"      {hook}")
    print("resolvers (chosen by TENANTRY_RESOLVERS):")
    for name, resolver in resolvers.items():
        print(f"  {name}  {resolver.description}".rstrip())
    print("executors:")
    for name, spec in executors.items():
        print(f"  {name}  {spec.description}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
