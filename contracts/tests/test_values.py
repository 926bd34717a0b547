"""Money, time ranges and time zones reject what would be wrong on the bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.catalog import RoomSnapshot, StudioPublished
from contracts.examples import BOOKER_ID, BOOKING_ID, OWNER_ID, SESSION, STUDIO_ID, examples
from contracts.payments import AuthorizePayment
from contracts.values import Money, TimeRange, WholeNumber

T = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


def test_money_rejects_floats() -> None:
    with pytest.raises(ValidationError):
        Money.model_validate({"amount_minor": 10.0, "currency": "EUR"})
    with pytest.raises(ValidationError):
        Money.model_validate_json('{"amount_minor": 10.5, "currency": "EUR"}')


@pytest.mark.parametrize("given", ["true", "false", '"5"', "5.0"])
def test_a_whole_number_from_outside_is_a_json_integer_only(given: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(WholeNumber).validate_json(given)
    assert TypeAdapter(WholeNumber).validate_json("5") == 5


def test_money_rejects_negative_amounts() -> None:
    with pytest.raises(ValidationError):
        Money(amount_minor=-1, currency="EUR")


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", ""])
def test_money_rejects_what_is_not_an_uppercase_iso_code(currency: str) -> None:
    with pytest.raises(ValidationError):
        Money(amount_minor=1, currency=currency)


def test_money_adds_within_one_currency_only() -> None:
    assert Money(amount_minor=1, currency="EUR") + Money.zero("EUR") == Money(
        amount_minor=1, currency="EUR"
    )
    with pytest.raises(ValueError, match="USD"):
        Money(amount_minor=1, currency="EUR") + Money(amount_minor=1, currency="USD")


def test_time_range_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="ends_at"):
        TimeRange(starts_at=T, ends_at=T)


def test_time_range_rejects_naive_datetimes() -> None:
    with pytest.raises(ValidationError):
        TimeRange(starts_at=T.replace(tzinfo=None), ends_at=T + timedelta(hours=1))


def test_time_range_is_normalized_to_utc() -> None:
    berlin_noon = datetime(2030, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))

    time_range = TimeRange(starts_at=berlin_noon, ends_at=berlin_noon + timedelta(hours=2))

    assert time_range.starts_at.utcoffset() == timedelta(0)
    assert time_range.starts_at == datetime(2030, 1, 1, 11, 0, tzinfo=UTC)
    assert time_range.duration == timedelta(hours=2)


def test_touching_time_ranges_do_not_overlap() -> None:
    first = TimeRange(starts_at=T, ends_at=T + timedelta(hours=1))
    second = TimeRange(starts_at=T + timedelta(hours=1), ends_at=T + timedelta(hours=2))

    assert not first.overlaps(second)
    assert first.overlaps(TimeRange(starts_at=T, ends_at=T + timedelta(minutes=1)))


def _studio() -> StudioPublished:
    studio = next(message for message in examples() if isinstance(message, StudioPublished))
    return studio


def test_studio_rejects_an_unknown_time_zone() -> None:
    data = _studio().model_dump() | {"timezone": "Mars/Olympus_Mons"}

    with pytest.raises(ValidationError, match="time zone"):
        StudioPublished.model_validate(data)


def test_studio_rejects_duplicate_rooms() -> None:
    room = RoomSnapshot(room_id=uuid.uuid4(), name="A", capacity=1)
    data = _studio().model_dump() | {"rooms": [room, room]}

    with pytest.raises(ValidationError, match="unique"):
        StudioPublished.model_validate(data)


def test_room_price_falls_back_to_the_studio_price() -> None:
    studio = _studio()
    live_room, booth = studio.rooms

    assert studio.hourly_price(live_room.room_id) == Money(amount_minor=4500, currency="EUR")
    assert studio.hourly_price(booth.room_id) == Money(amount_minor=2500, currency="EUR")


def test_platform_fee_must_not_exceed_the_amount() -> None:
    with pytest.raises(ValidationError, match="platform_fee"):
        AuthorizePayment(
            booking_id=BOOKING_ID,
            booker_id=BOOKER_ID,
            owner_id=OWNER_ID,
            studio_id=STUDIO_ID,
            amount=Money(amount_minor=100, currency="EUR"),
            platform_fee=Money(amount_minor=101, currency="EUR"),
            session_starts_at=SESSION.starts_at,
            session_ends_at=SESSION.ends_at,
            description="too much fee",
        )
