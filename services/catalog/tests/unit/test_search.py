"""Search requests: the default order, the rules between parameters, opaque cursors."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from catalog.domain.search import (
    Cursor,
    FreeAt,
    InvalidSearch,
    Near,
    SearchSort,
    StudioSearch,
)


def test_default_order_is_relevance_for_text_then_distance_then_rating() -> None:
    near = Near(52.5, 13.4, 10)
    assert StudioSearch(text="drums", near=near).order is SearchSort.RELEVANCE
    assert StudioSearch(near=near).order is SearchSort.DISTANCE
    assert StudioSearch().order is SearchSort.RATING


def test_a_cursor_survives_its_round_trip_exactly() -> None:
    cursor = Cursor("distance", 1234.5678901234567, uuid.uuid4())
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize("token", ["", "not base64!", "W10", "WyJ4IiwidHJ1ZSIsIjEiXQ"])
def test_foreign_cursors_are_refused(token: str) -> None:
    with pytest.raises(InvalidSearch, match="cursor"):
        Cursor.decode(token)


@pytest.mark.parametrize("key", [2**63, -(2**63), 10**400, float("nan"), float("inf")])
def test_cursors_with_keys_no_column_holds_are_refused(key: float) -> None:
    raw = json.dumps(["price", key, str(uuid.uuid4())]).encode()
    forged = base64.urlsafe_b64encode(raw).decode()
    with pytest.raises(InvalidSearch, match="cursor"):
        Cursor.decode(forged)


@pytest.mark.parametrize(
    ("search", "parameter"),
    [
        (StudioSearch(sort=SearchSort.RELEVANCE), "sort"),
        (StudioSearch(sort=SearchSort.DISTANCE), "sort"),
        (StudioSearch(limit=0), "limit"),
        (StudioSearch(limit=101), "limit"),
        (StudioSearch(near=Near(0, 0, 0)), "radius_km"),
        (StudioSearch(near=Near(0, 0, 5e-324)), "radius_km"),
        (StudioSearch(min_price_minor=5000, max_price_minor=1000), "min_price_minor"),
        (StudioSearch(sort=SearchSort.PRICE, cursor=Cursor("rating", 4.5, uuid.uuid4())), "cursor"),
    ],
)
def test_searches_that_do_not_fit_together_name_the_parameter(
    search: StudioSearch, parameter: str
) -> None:
    with pytest.raises(InvalidSearch, match=parameter):
        search.checked()


def test_a_search_for_later_today_names_the_zones_where_it_is_still_to_come() -> None:
    now = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)  # 23:30 in Berlin, 11:30 in Pago Pago
    late_morning = FreeAt(now.date(), 10 * 60, 12 * 60, 60).checked(now)
    tomorrow = FreeAt(now.date() + timedelta(days=1), 10 * 60, 12 * 60, 60).checked(now)
    next_week = FreeAt(now.date() + timedelta(days=7), 10 * 60, 12 * 60, 60).checked(now)

    assert late_morning.zones is not None
    assert "Pacific/Pago_Pago" in late_morning.zones  # 12:00 is still to come there
    assert {"Europe/Berlin", "America/Los_Angeles"}.isdisjoint(late_morning.zones)
    assert tomorrow.zones is not None
    assert "Europe/Berlin" in tomorrow.zones
    assert "Pacific/Kiritimati" not in tomorrow.zones  # already past noon on the 5th there
    assert (next_week.near_today, next_week.zones) == (False, None)
