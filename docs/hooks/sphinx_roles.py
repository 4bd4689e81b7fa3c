"""mkdocs hook: the packages' docstrings cross-reference in Sphinx's style
(:func:`name`), which Markdown renders as the role's text before the code. Show the code
alone, as Sphinx would (``~a.b.C`` as ``C``); a paragraph ending in a literal block's ``::``
ends in one colon, as Sphinx shows it."""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj):(<code>)(~?)([^<]*)(</code>)")


def _shown(match: re.Match[str]) -> str:
    opening, tilde, target, closing = match.groups()
    name = target.rsplit(".", 1)[-1] if tilde else target
    return f"{opening}{name}{closing}"


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub(_shown, html).replace("::</p>", ":</p>")
