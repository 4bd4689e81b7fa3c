"""Migrations 0001-0020, plus 0021 (``added_field/``) when TENANTRY_BENCH_ADDED_FIELD=1.

Django's MigrationLoader lists a package's migrations with ``pkgutil.iter_modules(__path__)``
and imports them as submodules, so a directory appended to ``__path__`` contributes its
modules as if they lived here. ``added_field/`` has no ``__init__.py``, so without the
variable pkgutil skips it. The variable is read once per process, at import.
"""

import os
from pathlib import Path

if os.environ.get("TENANTRY_BENCH_ADDED_FIELD") == "1":
    __path__.append(str(Path(__file__).with_name("added_field")))
