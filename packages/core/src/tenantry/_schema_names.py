"""Schema-name rules, and quoting of identifiers and string literals.

Core depends on no database driver, so quoting follows PostgreSQL's own rules for delimited
identifiers and string constants. The Django package quotes every statement it composes with
these two functions, whichever driver (psycopg 3 or psycopg2) is installed: psycopg2's ``sql``
module cannot render without a live connection, and the search-path statements are built once
and cached without one.
"""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "PUBLIC_SCHEMA",
    "SchemaNameError",
    "is_valid_schema_name",
    "quote_identifier",
    "quote_literal",
    "validate_schema_name",
]

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1: longer names are silently truncated by the server
SCHEMA_NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
PUBLIC_SCHEMA = "public"
_ALLOWED_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_SEPARATORS = re.compile(r"[-. ]")  # what people put between words where "_" belongs


class SchemaNameError(ValueError):
    """A schema name that tenantry will not use; the message says why and what to do.

    ``suggestion`` is a close name that is itself valid (under the same rules and reserved
    names), or None; when set, ``reason`` ends with ``(did you mean '...'?)``.
    """

    def __init__(self, name: object, reason: str, suggestion: str | None = None) -> None:
        self.name = name
        self.reason = reason
        self.suggestion = suggestion
        super().__init__(f"Invalid schema name {name!r}: {reason}")


def _format_problem(name: str) -> str | None:
    if not name:
        return "it is empty"
    if len(name) > MAX_IDENTIFIER_BYTES:
        return (
            f"it is {len(name)} characters long; PostgreSQL identifiers are at most "
            f"{MAX_IDENTIFIER_BYTES}"
        )
    if name != name.lower() and name.lower().isascii():
        return "it must be lowercase"
    for position, character in enumerate(name):
        if character not in _ALLOWED_CHARACTERS:
            return (
                f"character {character!r} at position {position} is not allowed; use "
                "lowercase ASCII letters, digits and underscores"
            )
    if name[0].isdigit():
        return "it must start with a lowercase letter or an underscore, not a digit"
    return None


def _problem(name: str, *, allow_public: bool, reserved: Collection[str]) -> str | None:
    """Why ``name`` is no schema name tenantry may use, or None when it is one."""
    problem = _format_problem(name)
    if problem is not None:
        return problem
    # The pattern restates the rules above; it guards against the two drifting apart.
    if SCHEMA_NAME_PATTERN.fullmatch(name) is None:  # pragma: no cover - defensive
        return "it does not match [a-z_][a-z0-9_]{0,62}"
    if name.startswith("pg_"):
        return "names starting with 'pg_' are reserved by PostgreSQL"
    if name == "information_schema":
        return "'information_schema' is a PostgreSQL system schema"
    if name == PUBLIC_SCHEMA and not allow_public:
        return "'public' holds the shared apps and cannot be a tenant"
    if name in reserved:
        return "it is already taken (a static tenant key or extra schema)"
    return None


def _suggestion(name: str, *, allow_public: bool, reserved: Collection[str]) -> str | None:
    """The name someone writing ``name`` most likely meant (lowercase, with ``-``, ``.`` and
    spaces as underscores), only if that name is itself valid: a hint must never send a user
    to another invalid name."""
    candidate = _SEPARATORS.sub("_", name.lower())
    if candidate == name:
        return None
    if _problem(candidate, allow_public=allow_public, reserved=reserved) is not None:
        return None
    return candidate


def validate_schema_name(
    name: object,
    *,
    allow_public: bool = False,
    reserved: Collection[str] = (),
) -> str:
    """Return ``name`` if tenantry may use it as a schema, else raise :class:`SchemaNameError`.

    ``reserved`` holds names taken by something else (static tenant keys, extra search-path
    schemas); ``allow_public`` admits the shared ``public`` schema, which only descriptors name.
    """
    if not isinstance(name, str):
        raise SchemaNameError(name, f"expected a string, got {type(name).__name__}")
    problem = _problem(name, allow_public=allow_public, reserved=reserved)
    if problem is None:
        return name
    suggestion = _suggestion(name, allow_public=allow_public, reserved=reserved)
    if suggestion is not None:
        problem += f" (did you mean {suggestion!r}?)"
    raise SchemaNameError(name, problem, suggestion)


def is_valid_schema_name(
    name: object, *, allow_public: bool = False, reserved: Collection[str] = ()
) -> bool:
    try:
        validate_schema_name(name, allow_public=allow_public, reserved=reserved)
    except SchemaNameError:
        return False
    return True


def quote_identifier(name: str) -> str:
    """Quote ``name`` as one PostgreSQL delimited identifier.

    Refuses what the server would not keep intact: empty names, NUL characters, text that is
    not valid UTF-8 and names over 63 bytes (which PostgreSQL would truncate, so two long
    tenant names could silently collide).
    """
    if not isinstance(name, str):
        raise TypeError(f"identifier must be a string, got {type(name).__name__}")
    if not name:
        raise ValueError("identifier must not be empty")
    if "\x00" in name:
        raise ValueError(f"identifier {name!r} contains a NUL character")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise ValueError(f"identifier {name!r} is not valid UTF-8 text") from error
    if size > MAX_IDENTIFIER_BYTES:
        raise ValueError(
            f"identifier {name!r} is {size} bytes long; PostgreSQL keeps at most "
            f"{MAX_IDENTIFIER_BYTES} and would truncate it"
        )
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """Quote ``text`` as one PostgreSQL string constant, whatever ``standard_conforming_strings``.

    Quotes are doubled. Text holding a backslash becomes an escape string (``E'...'``, its
    backslashes doubled), which reads the same with ``standard_conforming_strings`` on or off.
    Refuses what no string constant can hold: NUL characters and text that is not valid UTF-8.
    """
    if not isinstance(text, str):
        raise TypeError(f"literal must be a string, got {type(text).__name__}")
    if "\x00" in text:
        raise ValueError(f"literal {text!r} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"literal {text!r} is not valid UTF-8 text") from error
    quoted = text.replace("'", "''")
    if "\\" in text:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"
