"""The resolver chain (``tenantry_django.routing._chain``): resolvers announced through the
registry hook, asked in ``TENANTRY_RESOLVERS`` order, and answers remembered per host and
folder only while every resolver reads nothing else."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.test import RequestFactory, override_settings

import tenantry
from tenantry import RequestInfo, Resolution, SchemaDescriptor
from tenantry_django.conf import configure_plugins
from tenantry_django.routing import resolve, resolve_request
from tenantry_django.routing._chain import current_chain

PLUGIN = "tenantry_routing_test_resolvers"
HOST_ONLY = {"by_host", "redirects"}  # of the resolvers below, those reading host and folder


class Recording:
    """Resolvers that answer (or decline) as told, recording each question they get."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answers: dict[str, Resolution | None] = {}

    def resolver(self, name: str) -> Callable[[RequestInfo], Resolution | None]:
        def resolve_with(request: RequestInfo) -> Resolution | None:
            self.asked.append(name)
            return self.answers.get(name)

        return resolve_with


@pytest.fixture
def recording() -> Iterator[Recording]:
    """A plugin announcing ``declines``, ``first``, ``second`` (answering from any part of
    the request) and ``by_host``, ``redirects`` (answering from host and folder alone)."""
    record = Recording()
    record.answers = {
        "first": Resolution(SchemaDescriptor("first")),
        "second": Resolution(SchemaDescriptor("second")),
        "by_host": Resolution(SchemaDescriptor("by_host"), resolver="by_host"),
        "redirects": Resolution(SchemaDescriptor("x"), redirect_to="http://primary.test/"),
    }
    module = types.ModuleType(PLUGIN)

    @tenantry.hookimpl
    def tenantry_register_resolvers() -> Iterable[tenantry.ResolverSpec]:
        return [
            tenantry.ResolverSpec(name, record.resolver(name), host_only=name in HOST_ONLY)
            for name in ("declines", "first", "second", "by_host", "redirects")
        ]

    module.tenantry_register_resolvers = tenantry_register_resolvers  # type: ignore[attr-defined]
    sys.modules[PLUGIN] = module
    try:
        with override_settings(TENANTRY_PLUGINS=[PLUGIN]):
            yield record
    finally:
        del sys.modules[PLUGIN]


def request_to(host: str, path: str = "/") -> Any:
    return RequestFactory().get(path, headers={"host": host})


def answered_by(resolution: Resolution | None) -> str | None:
    return None if resolution is None else resolution.tenant.schema_name


@pytest.mark.parametrize(
    ("names", "answer", "asked"),
    [
        (["declines", "first", "second"], "first", ["declines", "first"]),
        (["second", "first"], "second", ["second"]),
        (["declines"], None, ["declines"]),
    ],
)
def test_resolvers_are_asked_in_the_configured_order_until_one_answers(
    recording, names, answer, asked
):
    with override_settings(TENANTRY_RESOLVERS=names):
        assert answered_by(resolve(RequestInfo(host="any.test"))) == answer
    assert recording.asked == asked


def test_an_unknown_name_is_a_clear_error_naming_what_is_installed(recording):
    with (
        override_settings(TENANTRY_RESOLVERS=["first", "dns"]),
        pytest.raises(tenantry.PluginError, match=r"names 'dns'.*installed: .*first"),
    ):
        resolve(RequestInfo(host="any.test"))


def test_the_chain_is_built_once_per_settings(recording):
    with override_settings(TENANTRY_RESOLVERS=["first"]):
        chain = current_chain()
        assert current_chain() is chain
    with override_settings(TENANTRY_RESOLVERS=["second", "first"]):
        assert current_chain() is not chain
        assert len(current_chain().resolvers) == 2


def test_plugins_reconfigured_in_code_rebuild_the_chain(recording):
    with override_settings(TENANTRY_RESOLVERS=["first"]):
        chain = current_chain()
        tenantry.configure_plugins(extra=[PLUGIN])  # a new manager, the same settings
        try:
            rebuilt = current_chain()
            assert rebuilt is not chain
            assert rebuilt.manager is tenantry.get_plugin_manager()
            assert current_chain() is rebuilt
        finally:
            configure_plugins()


@override_settings(TENANTRY_RESOLVERS=["by_host"])
def test_host_only_answers_are_remembered_per_host_and_folder(recording):
    for path in ("/shop/", "/shop/cart/", "/shop/cart/?page=2"):
        assert answered_by(resolve_request(request_to("a.test", path))) == "by_host"
    assert recording.asked == ["by_host"]  # one folder, one run
    resolve_request(request_to("a.test", "/blog/"))
    resolve_request(request_to("b.test", "/shop/"))
    assert recording.asked == ["by_host"] * 3


@override_settings(TENANTRY_RESOLVERS=["declines", "by_host"])
def test_nothing_is_remembered_when_one_resolver_reads_more_than_the_host(recording):
    for _ in range(3):
        assert answered_by(resolve_request(request_to("a.test"))) == "by_host"
    assert recording.asked == ["declines", "by_host"] * 3


@override_settings(TENANTRY_RESOLVERS=["redirects"])
def test_redirects_are_never_remembered(recording):
    for _ in range(2):
        assert resolve_request(request_to("a.test")).redirect_to == "http://primary.test/"
    assert recording.asked == ["redirects"] * 2


@override_settings(TENANTRY_RESOLVERS=["by_host"])
def test_no_answer_is_remembered_too(recording):
    recording.answers["by_host"] = None
    for _ in range(2):
        assert resolve_request(request_to("unknown.test")) is None
    assert recording.asked == ["by_host"]
