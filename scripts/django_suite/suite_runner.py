"""The test runner ``runtests.py`` uses (``TEST_RUNNER``): Django's, plus what the gate needs.

- It records every outcome, appended to a JSON-lines file as it happens, so a run that
  crashes halfway still leaves what it saw; a final ``{"finished": ...}`` line tells a
  complete run apart. (Parsing the verbose console output would break on tests that print.)
  Failing database setup or teardown, and exceptions in threads a test started (which do
  not fail the test), are recorded too.
- In the tenant run it creates the tenant's schema in each test database Django creates,
  before the migrations run there; clones for ``--parallel`` copy it. Done here rather than
  through ``TEST["TEMPLATE"]``, so the settings the tests see are the stock run's.
- It adapts the suite to a server without ICU or without some extensions (the embedded
  build), the same way for every run; see ``running.SuiteDatabases``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import traceback
import unittest
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TextIO

from django.db import connection, connections
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.postgresql.features import DatabaseFeatures
from django.test.runner import DiscoverRunner
from postgres_harness.driver import connect
from postgres_harness.server import django_conninfo

from tenantry import quote_identifier

from . import CONFIG_VARIABLE, RESULTS_VARIABLE

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(os.environ[CONFIG_VARIABLE])
    return config


def _headline(kind: type[BaseException], value: BaseException | None) -> str:
    lines = str(value).strip().splitlines() if value is not None else []
    return f"{kind.__name__}: {lines[0]}" if lines else kind.__name__


class RecordingResult(unittest.TextTestResult):
    """Keeps the console output of Django's runner and also records each outcome."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._log: TextIO = open(os.environ[RESULTS_VARIABLE], "a", encoding="utf-8")  # noqa: SIM115
        self._last = time.perf_counter()
        self._lock = threading.Lock()  # threads a test starts may report too
        self._current = ""
        # An exception in a thread a test started does not fail the test, but a tenant that
        # does not reach that thread shows up exactly there: record them under the test.
        self._previous_hook = threading.excepthook
        threading.excepthook = self._thread_exception

    def _thread_exception(self, args: Any) -> None:
        headline = _headline(args.exc_type, args.exc_value)
        self.write({"thread_exception": self._current, "error": headline})
        self._previous_hook(args)

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self._current = test.id()

    def _record(self, test: unittest.TestCase, outcome: str, err: ExcInfo | None = None) -> None:
        entry: dict[str, Any] = {"id": test.id(), "outcome": outcome}
        if err is not None:
            entry["error"] = _headline(err[0], err[1])
            entry["traceback"] = self._exc_info_to_string(err, test)
        self.write(entry)

    def write(self, entry: dict[str, Any]) -> None:
        # Wall time since the previous outcome, so class and module fixtures count too: summed
        # per label it says where a (sequential) run spends its time.
        with self._lock:
            now = time.perf_counter()
            entry["seconds"], self._last = round(now - self._last, 4), now
            self._log.write(json.dumps(entry) + "\n")
            self._log.flush()  # a crash later must not lose it

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._record(test, "pass")

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addFailure(test, err)
        self._record(test, "fail", err)

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        # Also reached for setUpClass/setUpModule errors, with an _ErrorHolder as ``test``
        # whose id names the class or module: the tests in it never run.
        super().addError(test, err)
        self._record(test, "error", err)

    def addSubTest(self, test: unittest.TestCase, subtest: unittest.TestCase, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:  # a failing subtest fails its test (addSuccess is not called)
            failed = issubclass(err[0], test.failureException)
            self._record(test, "fail" if failed else "error", err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self.write({"id": test.id(), "outcome": "skip", "error": reason})

    def addExpectedFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, "xfail")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._record(test, "unexpected-success")

    def stopTestRun(self) -> None:
        super().stopTestRun()
        threading.excepthook = self._previous_hook
        self._log.close()


def _create_schema_in_test_database(creation: BaseDatabaseCreation, schema: str) -> None:
    create_test_db = creation._create_test_db  # type: ignore[attr-defined]

    def create(verbosity: int, autoclobber: bool, keepdb: bool = False) -> str:
        name: str = create_test_db(verbosity, autoclobber, keepdb)
        conninfo = django_conninfo({**creation.connection.settings_dict, "NAME": name})
        with connect(conninfo) as admin:  # psycopg 3 or psycopg2, whichever is installed
            admin.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
        return name

    creation._create_test_db = create  # type: ignore[attr-defined]


@contextlib.contextmanager
def _unavailable_extensions_skipped(note: Callable[[dict[str, Any]], None]) -> Iterator[None]:
    """While the test databases are migrated, skip extensions the server does not ship.

    postgres_tests and db_functions create extensions in their first migration; one missing
    (uuid-ossp and pgcrypto in the embedded build) would fail the whole run's setup. Skipped,
    only the tests that use it fail, on both backends alike.
    """
    from django.contrib.postgres.operations import CreateExtension

    forwards = CreateExtension.database_forwards

    def database_forwards(self: CreateExtension, app_label: str, editor: Any, *states: Any) -> None:
        with editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [self.name])
            if cursor.fetchone() is None:
                note({"missing_extension": self.name})
                return
        forwards(self, app_label, editor, *states)

    CreateExtension.database_forwards = database_forwards  # type: ignore[method-assign]
    try:
        yield
    finally:
        CreateExtension.database_forwards = forwards  # type: ignore[method-assign]


class SuiteRunner(DiscoverRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if collations := _config()["test_collations"]:
            # Set on the class, before any test model resolves its lazy collation; tenantry's
            # backend uses the same features class. Forked workers inherit it.
            DatabaseFeatures.test_collations = collations

    def get_resultclass(self) -> type[unittest.TextTestResult]:
        return RecordingResult

    def setup_databases(self, **kwargs: Any) -> Any:
        # The tenant lives in "default", a SchemaDescriptor's database.
        if tenant := _config()["tenant"]:
            _create_schema_in_test_database(connections["default"].creation, tenant)
        with self._recorded("(setup_databases)"), _unavailable_extensions_skipped(self._note):
            return super().setup_databases(**kwargs)

    def teardown_databases(self, old_config: Any, **kwargs: Any) -> None:
        with self._recorded("(teardown_databases)"):
            super().teardown_databases(old_config, **kwargs)

    @contextlib.contextmanager
    def _recorded(self, step: str) -> Iterator[None]:
        """A failing database setup or teardown is reported like a failing test named after
        the step: it is no test's fault, and it would otherwise show only in the log."""
        try:
            yield
        except Exception as error:
            headline = _headline(type(error), error)
            trace = traceback.format_exc()
            self._note({"id": step, "outcome": "error", "error": headline, "traceback": trace})
            raise

    def run_suite(self, suite: unittest.TestSuite, **kwargs: Any) -> unittest.TestResult:
        # Proof of what the run ran with, so a tenant run that silently used public shows.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = cursor.fetchone()[0]
        # Which code was tested (PYTHONPATH can point the runs at another checkout).
        backend = sys.modules[type(connections["default"]).__module__].__file__
        self._note({"schema": schema, "backend": backend})
        result = super().run_suite(suite, **kwargs)
        # Only a suite that ran to its end gets here; the gate treats a missing line as a crash.
        self._note({"finished": True, "tests_run": result.testsRun})
        return result

    def _note(self, entry: dict[str, Any]) -> None:
        with open(os.environ[RESULTS_VARIABLE], "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
