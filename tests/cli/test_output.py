"""Prefixed output: each line of a tenant's run carries its schema, whole lines only."""

from __future__ import annotations

import io
import threading

from tenantry_cli._output import PrefixedStream


def test_every_line_gets_the_prefix() -> None:
    target = io.StringIO()
    stream = PrefixedStream(target, "acme")

    stream.write("one\ntwo\n")
    stream.write("three\n")

    assert target.getvalue() == "[acme] one\n[acme] two\n[acme] three\n"


def test_a_line_written_in_pieces_gets_one_prefix() -> None:
    target = io.StringIO()
    stream = PrefixedStream(target, "acme")

    stream.write("Applying ")
    stream.write("notes.0001_initial...")
    assert target.getvalue() == ""  # waits for the end of the line
    stream.write(" OK\nnext")

    assert target.getvalue() == "[acme] Applying notes.0001_initial... OK\n"


def test_flush_emits_an_unfinished_line() -> None:
    target = io.StringIO()
    stream = PrefixedStream(target, "other:archive")

    stream.write('[{"model": "blog.post"}]')
    stream.flush()
    stream.flush()  # nothing left: nothing more written

    assert target.getvalue() == '[other:archive] [{"model": "blog.post"}]\n'


def test_empty_lines_keep_their_prefix() -> None:
    target = io.StringIO()

    PrefixedStream(target, "acme").write("a\n\nb\n")

    assert target.getvalue() == "[acme] a\n[acme] \n[acme] b\n"


def test_never_claims_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    # Colour codes would land between the prefix and the text.
    assert not PrefixedStream(Terminal(), "acme").isatty()


def test_lines_from_threads_never_mix() -> None:
    target = io.StringIO()
    start = threading.Barrier(4)

    def write_lines(schema: str) -> None:
        stream = PrefixedStream(target, schema)
        start.wait()
        for number in range(200):
            stream.write(f"line {number} of ")
            stream.write(f"{schema}\n")

    threads = [threading.Thread(target=write_lines, args=(f"s{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = target.getvalue().splitlines()
    assert len(lines) == 800
    for line in lines:
        prefix, _, text = line.partition("] ")
        assert text.endswith(f" of {prefix[1:]}"), line
