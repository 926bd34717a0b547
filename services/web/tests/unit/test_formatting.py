"""Money per currency, the studio's local time, policy words and the search form's checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.domain.policies import REFUND_SCHEDULES
from web.formatting import InvalidAmount, local_time, minor_units, money, policy, zone_label
from web.search_form import SearchForm


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (4500, "EUR", "€45.00"),
        (123456789, "USD", "$1,234,567.89"),
        (4500, "JPY", "¥4,500"),
        (1234, "KWD", "KWD 1.234"),
        (5, "CHF", "CHF 0.05"),
        (-250, "GBP", "-£2.50"),
    ],
)
def test_money_is_shown_with_the_currency_s_own_decimals(
    amount: int, currency: str, shown: str
) -> None:
    assert money(amount, currency) == shown


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("45", "EUR", 4500), ("45.5", "EUR", 4550), ("1,000", "USD", 100000), ("4500", "JPY", 4500)],
)
def test_a_typed_price_becomes_minor_units(typed: str, currency: str, minor: int) -> None:
    assert minor_units(typed, currency) == minor


@pytest.mark.parametrize("typed", ["", "abc", "-1", "4.505", "nan", "1e30"])
def test_a_price_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAmount):
        minor_units(typed, "EUR")


def test_times_are_shown_on_the_studio_s_clock_with_its_zone() -> None:
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)

    assert local_time(moment, "Europe/Berlin") == "Wed 1 Jul 2026, 14:00 CEST"
    assert local_time(moment, "America/New_York") == "Wed 1 Jul 2026, 08:00 EDT"
    assert local_time(datetime(2026, 1, 1, 12, tzinfo=UTC), "Europe/Berlin").endswith("13:00 CET")
    assert zone_label("America/New_York", moment) == "America/New York (UTC-04:00)"


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_time(datetime(2026, 7, 1, 12), "Europe/Berlin")


@pytest.mark.parametrize("name", ["flexible", "moderate", "strict"])
def test_policy_words_say_what_booking_s_refund_table_does(name: str) -> None:
    words = policy(name)
    for step in REFUND_SCHEDULES[name]:  # type: ignore[index]
        if step.percent == 0:
            assert "none after that" in words
            continue
        hours = step.notice.total_seconds() / 3600
        notice = f"{int(hours)} hours" if hours < 48 else f"{int(hours // 24)} days"
        said = "full refund" if step.percent == 100 else f"{step.percent}%"
        assert (
            f"{said} if you cancel at least {notice}" in words
            or (f"{said} at least {notice}" in words)
            or (step.notice.total_seconds() == 0 and f"{said} after that" in words)
        )


def test_the_search_form_turns_into_catalog_s_query() -> None:
    form = SearchForm.of(
        {"q": " drums ", "near": "berlin", "currency": "EUR", "max_price": "50",
         "capacity": "4", "min_rating": "4", "sort": "price"},
        ["piano", "piano", "not-an-amenity"],
    )  # fmt: skip

    params = form.api_params()

    assert params == {
        "limit": 12, "q": "drums", "lat": 52.52, "lng": 13.405, "radius_km": 25.0,
        "currency": "EUR", "max_price_minor": 5000, "min_capacity": 4, "min_rating": 4.0,
        "sort": "price", "amenities": ["piano"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"max_price": "50"}, "max_price"),
        ({"radius": "10"}, "radius"),
        ({"near": "atlantis"}, "near"),
        ({"sort": "relevance"}, "sort"),
        ({"capacity": "2.5"}, "capacity"),
        ({"currency": "EUR", "min_price": "60", "max_price": "50"}, "max_price"),
        ({"hours": "2"}, "date"),
        ({"date": "12/24/2026"}, "date"),
        ({"date": "2026-12-24", "start_from": "7pm"}, "start_from"),
        ({"date": "2026-12-24", "hours": "5"}, "hours"),
    ],
)
def test_a_search_that_cannot_run_names_its_field(query: dict[str, str], field: str) -> None:
    form = SearchForm.of(query, [])

    assert form.api_params() is None
    assert field in form.errors


def test_a_free_time_search_asks_catalog_for_the_date_the_start_window_and_minutes() -> None:
    form = SearchForm.of(
        {"date": "2026-12-24", "start_from": "18:00", "start_until": "20:30", "hours": "3"}, []
    )

    assert form.api_params() == {
        "limit": 12,
        "date": "2026-12-24",
        "start_from": "18:00",
        "start_until": "20:30",
        "duration_minutes": 180,
    }
    assert form.times_query() == {"day": "2026-12-24", "hours": "3"}
    assert form.take_api_errors({"duration_minutes": "the session would end after midnight"})
    assert form.errors == {"hours": "the session would end after midnight"}


def test_the_api_s_refusal_lands_on_the_form_s_field() -> None:
    form = SearchForm.of({"capacity": "9999"}, [])

    assert form.take_api_errors({"min_capacity": "must be at most 500"})
    assert form.errors == {"capacity": "must be at most 500"}
