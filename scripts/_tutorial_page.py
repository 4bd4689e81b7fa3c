"""docs/tutorial.md read as scripts/tutorial.py runs it: its fenced blocks, each with the
language and attributes of its info string, and the expected output a ``text`` block gives
the run block before it. The conventions are described in scripts/tutorial.py.

Standard library only, like the runner that imports it (from its own directory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "TutorialError", "parse_blocks", "parse_info"]

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)\s*(?P<info>.*)$")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


class TutorialError(Exception):
    """A block that did not do what the page says."""


@dataclass
class Block:
    """One fenced code block of the page."""

    line: int  # of the opening fence, 1-based
    language: str
    attributes: dict[str, str]
    text: str
    expected_output: Block | None = None

    @property
    def title(self) -> str | None:
        return self.attributes.get("title")

    @property
    def run(self) -> str:
        """``yes``, ``no`` or ``background`` for bash blocks; ``no`` for the rest."""
        if self.language != "bash":
            return "no"
        return self.attributes.get("data-run", "yes")

    def describe(self) -> str:
        first = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"the {self.language} block at line {self.line} ({first[:70]!r})"


def parse_info(info: str) -> tuple[str, dict[str, str]]:
    """The language and attributes of a fence's info string, in either form:
    ``bash title="x"`` or ``{ .bash title="x" data-run="no" }``."""
    info = info.strip()
    attributes = dict(_ATTRIBUTE.findall(info))
    if info.startswith("{"):
        classes = re.findall(r"(?:^|\s)\.([\w-]+)", info.strip("{} "))
        return (classes[0] if classes else ""), attributes
    return (info.split()[0] if info else ""), attributes


def parse_blocks(markdown: str) -> list[Block]:
    """Every fenced block in order; a ``text`` block right after a run block is its output."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        start, indent, fence = index, len(match["indent"]), match["fence"]
        language, attributes = parse_info(match["info"])
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][indent:])
            index += 1
        if index == len(lines):
            raise TutorialError(f"line {start + 1}: the block opened here is never closed")
        index += 1
        block = Block(start + 1, language, attributes, "\n".join(body) + "\n")
        previous = blocks[-1] if blocks else None
        if language == "text" and previous is not None and previous.run != "no":
            previous.expected_output = block
        blocks.append(block)
    return blocks
