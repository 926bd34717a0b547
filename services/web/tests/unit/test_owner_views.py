"""The owner pages' view logic: the week calendar's grid, the hours editor, the forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

from starlette.datastructures import FormData

from web.studio_form import StudioForm
from web.week_calendar import lay_out, week_asked, week_window
from web.weekly_hours import BlackoutForm, ExtraHoursForm, WeeklyHours

ROOMS = [("r1", "Live room"), ("r2", "Booth")]


def _reservation(room: str, starts: str, ends: str, status: str = "booked") -> dict[str, object]:
    return {
        "reservation_id": "x",
        "booking_id": "b-1" if status == "booked" else None,
        "room_id": room,
        "status": status,
        "expires_at": None,
        "time": {"starts_at": starts, "ends_at": ends},
    }


def test_a_week_runs_from_local_monday_midnight_and_is_an_hour_short_in_spring() -> None:
    starts, ends = week_window(date(2026, 3, 23), "Europe/Lisbon")

    assert starts == datetime(2026, 3, 23, 0, 0, tzinfo=UTC)  # Lisbon is UTC+0 in winter
    assert ends == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)  # and UTC+1 after the 29th
    assert (ends - starts).total_seconds() == 167 * 3600


def test_the_week_asked_is_the_monday_of_that_date_else_of_today_in_the_studio() -> None:
    late_sunday_utc = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # Monday morning in Tokyo

    assert week_asked("2026-12-10", "UTC", late_sunday_utc) == date(2026, 12, 7)
    assert week_asked(None, "Asia/Tokyo", late_sunday_utc) == date(2026, 12, 7)
    assert week_asked(None, "Europe/Lisbon", late_sunday_utc) == date(2026, 11, 30)
    assert week_asked("not a date", "UTC", late_sunday_utc) == date(2026, 11, 30)


def test_reservations_land_on_their_room_and_local_day() -> None:
    calendar = {
        "timezone": "America/New_York",
        "reservations": [
            _reservation("r2", "2026-12-08T15:00:00Z", "2026-12-08T16:00:00Z", "held"),
            _reservation("r1", "2026-12-09T14:00:00+00:00", "2026-12-09T16:00:00+00:00"),
        ],
    }

    week = lay_out(calendar, ROOMS, date(2026, 12, 7))

    live, booth = week.rooms
    assert [len(day) for day in live.days] == [0, 0, 1, 0, 0, 0, 0]
    assert (live.days[2][0].starts, live.days[2][0].ends) == ("09:00", "11:00")
    assert live.days[2][0].booking_id == "b-1"
    assert (booth.days[1][0].starts, booth.days[1][0].words) == ("10:00", "Held (awaiting payment)")
    assert week.previous == date(2026, 11, 30)
    assert week.next == date(2026, 12, 14)
    assert not week.empty


def test_a_session_over_midnight_shows_on_both_days_marked_as_going_on() -> None:
    calendar = {
        "timezone": "Europe/Berlin",
        "reservations": [_reservation("r1", "2026-12-08T21:00:00Z", "2026-12-09T01:00:00Z")],
    }

    live = lay_out(calendar, ROOMS, date(2026, 12, 7)).rooms[0]

    tuesday, wednesday = live.days[1][0], live.days[2][0]
    assert (tuesday.starts, tuesday.ends, tuesday.into_next_day) == ("22:00", "24:00", True)
    assert (wednesday.starts, wednesday.ends, wednesday.from_day_before) == ("00:00", "02:00", True)


def test_a_reservation_of_a_removed_room_gets_a_row_of_its_own() -> None:
    calendar = {
        "timezone": "UTC",
        "reservations": [_reservation("gone", "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z")],
    }

    week = lay_out(calendar, ROOMS, date(2026, 12, 7))

    assert [room.name for room in week.rooms] == ["Live room", "Booth", "A removed room"]


def _hours_form(**times: str) -> FormData:
    fields = {f"day-{d}-{n}-{edge}": "" for d in range(7) for n in range(2)
              for edge in ("opens", "closes")}  # fmt: skip
    return FormData({**fields, **times})


def test_the_hours_editor_gives_availability_s_rules_and_keeps_room_rules() -> None:
    room_rule = {"weekday": 6, "opens": "10:00:00", "closes": "12:00:00", "room_id": "r2"}
    form = _hours_form(**{
        "day-0-0-opens": "09:00", "day-0-0-closes": "13:00",
        "day-0-1-opens": "14:00", "day-0-1-closes": "00:00",
        "day-5-0-opens": "10:00", "day-5-0-closes": "16:00",
    })  # fmt: skip

    rules = WeeklyHours.of_form(form, [room_rule]).rules()

    assert rules == [
        {"weekday": 0, "opens": "09:00", "closes": "13:00"},
        {"weekday": 0, "opens": "14:00", "closes": "00:00"},
        {"weekday": 5, "opens": "10:00", "closes": "16:00"},
        room_rule,
    ]


def test_the_hours_editor_names_each_wrong_row() -> None:
    form = _hours_form(**{
        "day-1-0-opens": "18:00", "day-1-0-closes": "09:00",
        "day-2-0-opens": "9am", "day-2-0-closes": "17:00",
        "day-3-0-opens": "09:00", "day-3-0-closes": "",
        "day-4-0-opens": "09:00", "day-4-0-closes": "13:00",
        "day-4-1-opens": "12:00", "day-4-1-closes": "18:00",
    })  # fmt: skip
    hours = WeeklyHours.of_form(form, [])

    assert hours.rules() is None
    assert set(hours.errors) == {"day-1-0", "day-2-0", "day-3-0", "day-4-1"}
    assert "after opening" in hours.errors["day-1-0"]
    assert "overlaps" in hours.errors["day-4-1"]


def test_the_hours_editor_shows_the_studio_rules_by_day_with_blank_rows_to_fill() -> None:
    rules = [
        {"weekday": 2, "opens": "14:00:00", "closes": "18:00:00", "room_id": None},
        {"weekday": 2, "opens": "09:00:00", "closes": "12:00:00", "room_id": None},
        {"weekday": 2, "opens": "07:00:00", "closes": "08:00:00", "room_id": "r1"},
    ]

    hours = WeeklyHours.of_rules(rules)

    assert [(o.opens, o.closes) for o in hours.days[2]] == [("09:00", "12:00"), ("14:00", "18:00")]
    assert [(o.opens, o.closes) for o in hours.days[0]] == [("", ""), ("", "")]
    assert hours.room_rules == [rules[2]]


def test_a_blackout_is_whole_local_days_for_the_studio_or_one_of_its_rooms() -> None:
    today = date(2026, 12, 2)
    one_day = BlackoutForm.of_form({"first_day": "2026-12-24", "reason": "Holiday"})
    backwards = BlackoutForm.of_form({"first_day": "2026-12-24", "last_day": "2026-12-20"})
    past = BlackoutForm.of_form({"first_day": "2026-11-01", "room_id": "elsewhere"})

    assert one_day.body(["r1"], today) == {
        "first_day": "2026-12-24", "last_day": "2026-12-24", "reason": "Holiday",
    }  # fmt: skip
    assert backwards.body(["r1"], today) is None
    assert "before the first" in backwards.errors["last_day"]
    assert past.body(["r1"], today) is None
    assert set(past.errors) == {"first_day", "room_id"}


def test_extra_hours_are_one_local_day_with_an_evening_to_midnight_allowed() -> None:
    today = date(2026, 12, 2)
    evening = ExtraHoursForm.of_form(
        {"extra_day": "2026-12-24", "extra_opens": "18:00", "extra_closes": "00:00",
         "extra_room_id": "r1", "extra_reason": "Carols"}
    )  # fmt: skip
    backwards = ExtraHoursForm.of_form(
        {"extra_day": "2026-12-24", "extra_opens": "18:00", "extra_closes": "17:00"}
    )
    nonsense = ExtraHoursForm.of_form(
        {"extra_day": "2026-11-01", "extra_opens": "6pm", "extra_room_id": "elsewhere"}
    )

    assert evening.body(["r1"], today) == {
        "day": "2026-12-24", "opens": "18:00", "closes": "00:00", "room_id": "r1",
        "reason": "Carols",
    }  # fmt: skip
    assert backwards.body(["r1"], today) is None
    assert backwards.errors == {"extra_closes": "Close after opening (00:00 means midnight)."}
    assert nonsense.body(["r1"], today) is None
    assert set(nonsense.errors) == {"extra_day", "extra_opens", "extra_closes", "extra_room_id"}


def _studio_form(**fields: str) -> FormData:
    good = {
        "name": "Tide Sound", "address": "1 Rua Nova", "city": "Lisbon", "country": "pt",
        "latitude": "38.72", "longitude": "-9.14", "timezone": "Europe/Lisbon",
        "currency": "EUR", "price": "45.50", "minimum_hours": "1", "maximum_hours": "12",
        "capacity": "6", "cancellation_policy": "strict",
        "room-0-id": "", "room-0-name": "Live", "room-0-capacity": "5", "room-0-price": "",
        "room-1-id": "", "room-1-name": "", "room-1-capacity": "", "room-1-price": "",
        "photo-0-url": "https://img.example.com/a.jpg", "photo-0-caption": "Live room",
        "photo-1-url": "", "photo-1-caption": "",
    }  # fmt: skip
    return FormData([*{**good, **fields}.items(), ("amenities", "wifi"), ("amenities", "nope")])


def test_the_studio_form_gives_catalog_s_body_in_minor_units() -> None:
    form = StudioForm.of_form(_studio_form())

    body = form.studio_body()
    rooms = form.room_bodies()

    assert body is not None, form.errors
    assert body["hourly_price_minor"] == 4550
    assert body["country"] == "PT"
    assert body["amenities"] == ["wifi"]
    assert body["photos"] == [{"url": "https://img.example.com/a.jpg", "caption": "Live room"}]
    assert rooms == [("", {"name": "Live", "capacity": 5})]
    assert form.errors == {}


def test_the_studio_form_names_each_wrong_field() -> None:
    form = StudioForm.of_form(_studio_form(
        name="", timezone="Mars/Olympus", price="45.555", latitude="north",
        **{"room-0-capacity": "0", "room-1-name": "", "room-1-price": "12",
           "photo-0-url": "ftp://x"},
    ))  # fmt: skip

    assert form.studio_body() is None
    form.room_bodies()

    assert set(form.errors) == {
        "name", "timezone", "price", "latitude", "room-0-capacity", "room-1-name",
        "room-1-capacity", "photo-0-url",
    }  # fmt: skip
    assert form.errors["price"] == "EUR has 2 decimals at most."


def test_catalog_s_field_errors_land_on_the_form_s_fields() -> None:
    form = StudioForm.blank()

    form.take_api_errors({"hourly_price_minor": "too large", "rooms": "at most 100"})

    assert form.errors == {"price": "Too large.", "form": "Rooms: at most 100."}


def test_a_studio_fills_the_form_with_its_prices_in_major_units() -> None:
    studio = {
        "name": "Tokyo Room", "currency": "JPY", "hourly_price_minor": 5000,
        "cancellation_policy": "flexible", "amenities": ["piano"], "photos": [],
        "rooms": [{"id": "r1", "name": "A", "capacity": 3, "hourly_price_minor": 6000,
                   "price_overridden": True}],
    }  # fmt: skip

    form = StudioForm.of_studio(studio)

    assert form.values["price"] == "5000"
    assert form.rooms[0].price == "6000"
    assert len(form.rooms) == 3
    assert len(form.photos) == 2


def test_each_day_s_hours_read_in_words() -> None:
    hours = WeeklyHours.of_form(_hours_form(**{
        "day-0-0-opens": "00:00", "day-0-0-closes": "00:00",
        "day-1-0-opens": "09:00", "day-1-0-closes": "13:00",
        "day-1-1-opens": "14:00", "day-1-1-closes": "00:00",
    }), [])  # fmt: skip

    assert [hours.summary(d) for d in range(3)] == [
        "Open all day", "09:00\u201313:00, 14:00\u201324:00", "Closed",
    ]  # fmt: skip


def test_a_blank_studio_capacity_adds_up_its_rooms() -> None:
    form = StudioForm.of_form(_studio_form(capacity="", **{"room-1-name": "Booth",
                                                          "room-1-capacity": "2"}))  # fmt: skip

    body = form.studio_body()

    assert body is not None
    assert body["capacity"] == 7
