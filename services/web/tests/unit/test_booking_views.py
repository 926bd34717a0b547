"""The booker's view logic: the "when" form's checks, times on the studio's clock, statuses
and refunds in words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from web import booking_views as views

STUDIO: dict[str, Any] = {
    "id": "s1",
    "timezone": "Europe/Lisbon",
    "currency": "EUR",
    "minimum_hours": 2,
    "maximum_hours": 24,
    "rooms": [{"id": "r1", "name": "Live room", "capacity": 4, "hourly_price_minor": 4500}],
}
TODAY = date(2026, 3, 10)


def test_the_when_form_defaults_to_the_first_room_tomorrow_and_the_shortest_booking() -> None:
    form = views.TimesForm.of({}, STUDIO, TODAY)

    assert (form.room_id, form.day, form.hours, form.errors) == ("r1", date(2026, 3, 11), 2, {})


def test_the_when_form_names_each_wrong_field() -> None:
    form = views.TimesForm.of(
        {"room_id": "other", "day": "2026-03-09", "hours": "1"}, STUDIO, TODAY
    )

    assert form.errors == {
        "room_id": "Choose one of the studio's rooms.",
        "day": "Choose today or a later day.",
        "hours": "Choose between 2 and 12 hours.",
    }


def test_the_people_are_one_unless_asked_and_at_most_the_room_holds() -> None:
    crowd = views.TimesForm.of({"people": "5"}, STUDIO, TODAY)
    nonsense = views.TimesForm.of({"people": "-2"}, STUDIO, TODAY)

    assert views.TimesForm.of({}, STUDIO, TODAY).people == 1
    assert views.TimesForm.of({"people": "4"}, STUDIO, TODAY).errors == {}
    assert crowd.errors == {"people": "Live room holds 1 to 4 people."}
    assert nonsense.errors == {"people": "Live room holds 1 to 4 people."}


def test_a_day_that_is_not_a_date_is_refused_beside_the_day() -> None:
    form = views.TimesForm.of({"day": "next friday", "hours": "two"}, STUDIO, TODAY)

    assert form.errors["day"] == "Enter a day such as 2026-03-14."
    assert form.errors["hours"] == "Choose how many hours."


def test_the_chosen_day_runs_from_local_midnight_across_a_clock_change() -> None:
    form = views.TimesForm.of({"day": "2026-03-29"}, STUDIO, TODAY)  # Lisbon springs forward

    start, end = form.window("Europe/Lisbon")

    assert start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)


def test_free_times_read_on_the_studio_s_clock() -> None:
    slots = [
        {"starts_at": "2026-07-01T13:00:00Z", "local_starts_at": "2026-07-01T14:00:00+01:00"},
    ]

    assert views.free_times(slots) == [views.FreeTime("2026-07-01T13:00:00Z", "14:00")]


def test_a_booking_s_time_is_its_local_day_and_hours_with_the_zone() -> None:
    booking = {
        "studio_timezone": "Europe/Lisbon",
        "starts_at": "2026-07-01T13:00:00Z",
        "ends_at": "2026-07-01T15:00:00Z",
    }

    assert views.when(booking) == "Wed 1 Jul 2026, 14:00 to 16:00 WEST"


def test_rooms_and_hours_offered_with_price_and_words() -> None:
    assert views.room_options(STUDIO) == [("r1", "Live room · €45.00 an hour")]
    assert views.hour_options(STUDIO)[:2] == [("2", "2 hours"), ("3", "3 hours")]


def test_an_instant_without_a_zone_is_not_taken() -> None:
    assert views.parse_instant("2026-07-01T13:00:00") is None
    assert views.parse_instant("soon") is None
    assert views.parse_instant("2026-07-01T13:00:00+00:00") == datetime(2026, 7, 1, 13, tzinfo=UTC)


def _preview(**changes: Any) -> dict[str, Any]:
    preview = {
        "currency": "EUR", "charged_minor": 9900, "refund_minor": 4950, "policy": "moderate",
        "rule": {"kind": "notice", "min_notice_hours": 24, "percent": 50},
    }  # fmt: skip
    return preview | changes


def test_the_refund_is_told_with_the_rule_that_gives_it() -> None:
    assert views.refund_words(_preview()) == (
        "You get back €49.50 of the €99.00 you paid, because you cancel at least 24 hours "
        "before the start."
    )
    grace = _preview(refund_minor=9900, rule={"kind": "grace_period", "percent": 100})
    assert views.refund_words(grace).endswith("because you booked less than an hour ago.")
    late = _preview(refund_minor=0, rule={"kind": "notice", "min_notice_hours": 0, "percent": 0})
    assert "the moderate policy gives 0% this close to the start" in views.refund_words(late)


def test_nothing_charged_yet_costs_nothing_to_cancel() -> None:
    preview = _preview(charged_minor=0, refund_minor=0, rule=None)

    assert views.refund_words(preview) == (
        "Nothing has been charged yet: cancelling costs you nothing."
    )


def test_a_booking_that_did_not_happen_says_why_and_is_offered_other_times() -> None:
    taken = {"status": "failed", "failure_reason": "slots_unavailable"}
    lapsed = {"status": "cancelled", "cancellation_reason": "hold_expired"}
    by_booker = {"status": "cancelled", "cancellation_reason": "booker"}

    assert views.why_not_booked(taken) == "Someone else booked that time first."
    assert "ran out" in views.why_not_booked(lapsed)
    assert [views.lapsed(b) for b in (taken, lapsed, by_booker)] == [True, True, False]
    assert views.status_words("pending_payment") == "Waiting for your payment"
