"""Loads the fixture modules in tests/plugins/ and re-exports the helpers tests import from here."""

import pytest

# Imported below before pytest loads them as plugins: register them first so their asserts explain.
pytest.register_assert_rewrite("tests.plugins")

from tests.loopback import free_port  # noqa: E402
from tests.plugins.application import csrf_token_from, login  # noqa: E402
from tests.plugins.browser import PHONE  # noqa: E402
from tests.plugins.database import ON_POSTGRES, base_settings  # noqa: E402

pytest_plugins = [
    "tests.plugins.database",
    "tests.plugins.application",
    "tests.plugins.records",
    "tests.plugins.smtp",
    "tests.plugins.browser",
]

__all__ = ["ON_POSTGRES", "PHONE", "base_settings", "csrf_token_from", "free_port", "login"]
