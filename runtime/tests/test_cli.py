"""How a service's process treats its garbage once started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from service_runtime.cli import YOUNG_OBJECTS_BEFORE_COLLECTION, tune_garbage_collection


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.mark.usefixtures("collector_restored")
def test_what_startup_built_is_left_out_of_collections_and_new_garbage_still_goes() -> None:
    built_at_startup = Node()
    assert gc.is_tracked(built_at_startup)

    tune_garbage_collection()

    # A collection no longer walks what existed then (it is frozen), only what came after.
    walked = gc.get_objects()
    assert not any(each is built_at_startup for each in walked)
    assert gc.get_freeze_count() > len(walked)
    assert gc.get_threshold()[0] == YOUNG_OBJECTS_BEFORE_COLLECTION

    # A reference cycle made afterwards is garbage the collector still finds.
    first, second = Node(), Node()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2
