"""Makes the shared fixtures of tests/fixtures available to every test suite in the repo."""

import os
import sys
import threading
import time
import traceback
from typing import Any

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


# First: pytest-xdist reads the groups in its own pytest_collection_modifyitems.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With `pytest -n N --dist loadgroup` (make test): a test file runs on one worker, so its
    module fixtures start once. The whole-system tests run in three groups, a worker each
    (`make test`); a worker runs one system at a time, so three run at once, as many as
    PostgreSQL's 100 connections allow:

    - `system`: most files, on one shared system;
    - `system-aside`: the tests that sleep until a booking they made has started, on a shared
      system of their own (that worker is mostly asleep);
    - `system-own`: the files that start systems of their own (no test of theirs takes `system`:
      `test_chaos.py`, `test_clerk_journey.py`), first (the sort below), then the files with
      tests in Chromium (the `browser` fixture) on a shared system, started once those stopped.

    The round here, on two workers (the first group on one, the rest on the other) against
    so, minutes apart: 431 against 373 s; in a faster phase of the machine, 405 against 329 s.
    The cores were 90% busy rather than 57%. ("So" includes the sleepers' sessions booked 10 s
    ahead by `next_minute`, not 15: 5 s less of each sleeper's wait on average.)"""
    shares_the_system = {_path_of(item) for item in items if "system" in item.fixturenames}
    in_the_browser = {_path_of(item) for item in items if "browser" in item.fixturenames}
    items.sort(key=lambda item: _path_of(item) in shares_the_system)
    for item in items:
        path = _path_of(item)
        if not path.startswith("tests/system/"):
            group = path
        elif item.get_closest_marker("waits_for_session_start"):
            group = "system-aside"
        elif path not in shares_the_system or path in in_the_browser:
            group = "system-own"
        else:
            group = "system"
        item.add_marker(pytest.mark.xdist_group(group))


def _path_of(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """With `--dist loadgroup`, every test a worker collected must carry its group in its id, as
    pytest-xdist marks it; without, it spreads a group's tests over the workers and each starts
    a whole system of its own (pytest 9.2 broke it silently: pytest-dev/pytest-xdist#1386)."""
    ungrouped = [nodeid for nodeid in ids if "@" not in nodeid]
    if ungrouped and node.config.getvalue("dist") == "loadgroup":
        pytest.exit(f"pytest-xdist did not group the tests, e.g. {ungrouped[0]}", returncode=3)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Once pytest is done, the process ends within a minute with pytest's status, whatever a
    failed test left waiting (a thread the interpreter would join at exit forever): a red suite
    must never turn into a CI timeout. Not in a pytest-xdist worker: it waits for the controller
    once its tests are done, and the controller ends it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    status = config.stash.get(_EXIT_STATUS, 1)

    def exit_if_still_here() -> None:
        time.sleep(EXIT_GRACE_SECONDS)
        frames = sys._current_frames()
        waiting = [
            f"{thread.name}:\n{''.join(traceback.format_stack(frames[thread.ident]))}"
            for thread in threading.enumerate()
            if thread is not threading.current_thread() and thread.ident in frames
        ]
        print(
            f"pytest ended {EXIT_GRACE_SECONDS} s ago; threads still wait: exiting\n"
            + "\n".join(waiting),
            file=sys.stderr,
        )
        os._exit(status)

    threading.Thread(target=exit_if_still_here, daemon=True).start()
