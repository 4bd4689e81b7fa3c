"""Transaction-pooling mistakes are system checks with an id and a fix."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from tenantry_django._pooling_checks import check_transaction_pooling, pooling_errors


def databases(**default_changes):
    return {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], **default_changes},
    }


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_sandbox_has_no_pooling_and_no_complaint():
    assert check_transaction_pooling() == []


@pytest.mark.parametrize(
    ("pooling", "database_changes", "expected"),
    [
        (True, {"DISABLE_SERVER_SIDE_CURSORS": True}, ["tenantry.E051"]),  # "other" keeps them
        (["default"], {"DISABLE_SERVER_SIDE_CURSORS": True}, []),
        (["default"], {}, ["tenantry.E051"]),
        (True, {}, ["tenantry.E051", "tenantry.E051"]),  # default and other
        (["replica"], {"DISABLE_SERVER_SIDE_CURSORS": True}, ["tenantry.E050"]),
        ("default", {}, ["tenantry.E050"]),
        (["default"], {"ENGINE": "django.db.backends.postgresql"}, []),
    ],
)
def test_pooling_mistakes(pooling, database_changes, expected):
    with override_settings(TENANTRY_TRANSACTION_POOLING=pooling):
        assert ids(pooling_errors(databases(**database_changes))) == expected


def test_the_message_names_the_alias_and_the_fix():
    with override_settings(TENANTRY_TRANSACTION_POOLING=["default"]):
        (error,) = check_transaction_pooling()
    assert "DATABASES['default']" in error.msg
    assert 'DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True' in error.hint
