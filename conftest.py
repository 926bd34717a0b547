"""Makes the shared fixtures of tests/fixtures available to every test suite in the repo."""

import pytest

pytest_plugins = [
    "tests.fixtures.infra",
    "tests.fixtures.mail",
    "tests.fixtures.otlp",
    "tests.fixtures.tokens",
    "tests.fixtures.tracing",
    "tests.fixtures.clerk",  # after the modules it imports, so pytest rewrites their asserts
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With `pytest -n N --dist loadgroup` (make test): a test file runs on one worker, so its
    module fixtures start once; the whole-system tests share one worker, so one system runs."""
    for item in items:
        path = item.nodeid.split("::")[0]
        group = "system" if path.startswith("tests/system/") else path
        item.add_marker(pytest.mark.xdist_group(group))
