"""Makes the shared fixtures of tests/fixtures available to every test suite in the repo."""

import os
import sys
import threading
import time

import pytest

EXIT_GRACE_SECONDS = 60
_EXIT_STATUS = pytest.StashKey[int]()

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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Once pytest is done, the process ends within a minute with pytest's status, whatever a
    failed test left waiting (a thread the interpreter would join at exit forever): a red suite
    must never turn into a CI timeout."""
    status = config.stash.get(_EXIT_STATUS, 1)

    def exit_if_still_here() -> None:
        time.sleep(EXIT_GRACE_SECONDS)
        print(
            f"pytest ended {EXIT_GRACE_SECONDS} s ago; threads still wait: exiting", file=sys.stderr
        )
        os._exit(status)

    threading.Thread(target=exit_if_still_here, daemon=True).start()
