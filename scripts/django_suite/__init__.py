"""The fidelity gate: Django's own test suite on the stock and on tenantry's backend, diffed.

    hatch run django-suite [LABEL ...] [--fast] [--runs stock,plain,tenant] [--parallel N]
                           [--timings] [--tracebacks] [--report] [--workdir DIR]

Modules: ``fetch`` (the suite from the sdist), ``running`` (server, databases, runtests.py),
``settings`` and ``suite_runner`` (loaded inside runtests.py), ``report`` (the diff and the gate).
This file stays import-free: runtests.py imports it too.
"""

# Environment variables the gate hands to runtests.py (and so to its worker processes).
CONFIG_VARIABLE = "TENANTRY_SUITE_CONFIG"  # JSON: databases, tenant, test_collations
RESULTS_VARIABLE = "TENANTRY_SUITE_RESULTS"  # the JSON-lines file outcomes are appended to
