"""One spelling per host: what domain rows store is what incoming hosts are looked up as.

Browsers send a host in its ASCII (IDNA) form, in any case, maybe with a port or a trailing
dot. :func:`normalize_host` turns every spelling of a host into one lookup key: lowercase,
IDNA-encoded, without port or trailing dot. Domain rows and static ``DOMAINS`` are stored in
that same form (:func:`normalize_domain`), which also refuses what no Host header could ever
match: a scheme, a path, a port, characters Django's ``get_host()`` refuses.

``www.`` is not stripped from either side: a host is looked up as sent, and when nothing
matches it, as its :func:`www_twin` (``example.com`` <-> ``www.example.com``). So a row is
served at both spellings unless the other spelling has rows of its own.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from encodings import idna
from urllib.parse import urlsplit

from django.utils.encoding import punycode

__all__ = [
    "DomainError",
    "could_be_stored",
    "normalize_domain",
    "normalize_host",
    "unicode_host",
    "www_twin",
]

MAX_DOMAIN_LENGTH = 253  # RFC 1035, and the domain column's max_length
MAX_LABEL_LENGTH = 63
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_STORED_SHAPE = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
_LABEL_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
# Python's codec (and Django's punycode()) is IDNA 2003, which maps these away (ß -> ss);
# browsers use IDNA 2008 / UTS 46, which keep them. A stored name holding one would be
# reached at another ASCII form than the one stored, so it is refused instead of guessed.
_IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")  # ß, final sigma, ZWNJ, ZWJ


class DomainError(ValueError):
    """A domain no request could ever be routed to; the message says why and what to store."""

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"Invalid domain {value!r}: {reason}")


def _ipv6(host: str) -> str:
    """``[...]`` in its compressed form (``[0:0::1]`` -> ``[::1]``), or unchanged."""
    try:
        return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
    except ValueError:
        return host


def normalize_host(host: str) -> str:
    """The lookup key of an incoming host: lowercase, IDNA, no port, no trailing dot.

    Never raises: a host that cannot be a domain comes back in a form no stored row has.
    """
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal, maybe with a port
        end = host.find("]")
        return _ipv6(host[: end + 1]) if end > 0 else host
    if host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    host = host.rstrip(".")
    if not host.isascii():
        # Browsers send the ASCII form; ASGI servers and plugins may hand over Unicode. Not
        # a valid IDN: it stays Unicode, and stored rows are all ASCII, so it matches none.
        with contextlib.suppress(UnicodeError):
            host = punycode(host)
    return host


def www_twin(host: str) -> str | None:
    """The other spelling of ``host`` with respect to a leading ``www.``; None for IPs."""
    if host.startswith("www.") and len(host) > 4:
        return host[4:]
    if host.startswith("[") or (host[-1:].isdigit() and _is_ipv4(host)):
        return None
    return f"www.{host}"


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def unicode_host(host: str) -> str:
    """The Unicode form of a stored (ASCII) host, for people; unchanged if not an IDN."""
    if "xn--" not in host:
        return host
    try:
        return ".".join(idna.ToUnicode(label) for label in host.split("."))
    except UnicodeError:
        return host


def _label_problem(label: str) -> str | None:
    if not label:
        return "it has an empty label (two dots in a row, or a leading dot)"
    if len(label) > MAX_LABEL_LENGTH:
        return f"label {label[:20]!r}... is {len(label)} characters long; at most 63"
    for character in label:
        if character not in _LABEL_CHARACTERS:
            return (
                f"character {character!r} is not allowed in a host name; use letters, "
                "digits and hyphens"
            )
    if _LABEL.fullmatch(label) is None:
        return f"label {label!r} starts or ends with a hyphen"
    if label.startswith("xn--"):
        try:
            idna.ToUnicode(label)
        except UnicodeError:
            return f"label {label!r} is not valid IDNA (punycode)"
    return None


def _refuse_extras(value: str, host: str) -> None:
    """Scheme, path and port never appear in a Host header's domain: name the fix."""
    if "://" in host or host.startswith("//"):
        try:
            bare = urlsplit(host if "://" in host else f"http:{host}").hostname
        except ValueError:  # a malformed netloc: no suggestion
            bare = None
        hint = f" ({bare!r})" if bare else ""
        raise DomainError(value, f"it has a scheme; store the host alone{hint}")
    if "/" in host:
        bare, _, rest = host.partition("/")
        raise DomainError(
            value,
            f"it has a path; store {bare!r} as the domain and the folder "
            f"({rest.strip('/')!r}) in the folder field",
        )
    if host.startswith("["):
        if not host.endswith("]"):
            raise DomainError(value, "it has a port; requests on every port reach a domain")
    elif ":" in host:
        raise DomainError(value, "it has a port; requests on every port reach a domain")


def normalize_domain(value: object) -> str:
    """The stored form of a domain row's ``domain``, or :class:`DomainError`.

    The same steps as :func:`normalize_host` (so a stored row is found under every spelling
    a browser sends), after refusing what that function would drop or could never match.
    """
    if not isinstance(value, str):
        raise DomainError(value, f"expected text, got {type(value).__name__}")
    shown = value.strip()
    if not shown:
        raise DomainError(value, "it is empty")
    _refuse_extras(shown, shown)
    if shown.startswith("["):
        if not _is_ipv6_literal(shown):
            raise DomainError(shown, "it is not a valid IPv6 address")
        return normalize_host(shown)
    if any(character in _IDNA_DEVIATIONS for character in shown.lower()):
        raise DomainError(
            shown,
            "it contains a character IDNA 2003 and 2008 encode differently (ß, ς, ZWJ, "
            "ZWNJ), so browsers would not reach it; store the xn-- form browsers send",
        )
    normalized = normalize_host(shown)
    if not normalized.isascii():
        raise DomainError(shown, "it is not a valid internationalised (IDNA) name")
    if len(normalized) > MAX_DOMAIN_LENGTH:
        raise DomainError(shown, f"it is {len(normalized)} characters long; at most 253")
    for label in normalized.split("."):
        problem = _label_problem(label)
        if problem is not None:
            raise DomainError(shown, problem)
    return normalized


def could_be_stored(host: str) -> bool:
    """Whether a normalised host has the shape of a stored domain (cheap, before a lookup):
    anything else, a NUL byte say, is answered without asking the database."""
    return len(host) <= MAX_DOMAIN_LENGTH and _STORED_SHAPE.fullmatch(host) is not None


def _is_ipv6_literal(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return True
