"""Money in its currency's units, times in the studio's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notifications.domain.wording import local_span, money


def test_money_reads_in_the_currencys_own_minor_units() -> None:
    assert money(4500, "EUR") == "45.00 EUR"
    assert money(123456789, "USD") == "1,234,567.89 USD"
    assert money(4500, "JPY") == "4500 JPY"
    assert money(1500, "KWD") == "1.500 KWD"
    assert money(5, "EUR") == "0.05 EUR"


def test_a_session_reads_in_the_studios_local_time_with_its_zone() -> None:
    starts, ends = datetime(2030, 7, 1, 16, 0, tzinfo=UTC), datetime(2030, 7, 1, 18, 0, tzinfo=UTC)

    assert local_span(starts, ends, ZoneInfo("America/New_York")) == (
        "Monday 1 July 2030, 12:00 to 14:00 EDT (America/New_York)"
    )


def test_a_session_past_midnight_names_both_days() -> None:
    starts, ends = datetime(2030, 1, 1, 22, 0, tzinfo=UTC), datetime(2030, 1, 2, 1, 0, tzinfo=UTC)

    assert local_span(starts, ends, ZoneInfo("Europe/Berlin")) == (
        "Tuesday 1 January 2030, 23:00 to Wednesday 2 January 2030, 02:00 CET (Europe/Berlin)"
    )
