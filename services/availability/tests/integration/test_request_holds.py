"""A request to book holds its room while the studio's owner decides: as long as HoldSlots'
hold_until asks, never longer than AVAILABILITY_MAX_REQUEST_HOLD_HOURS, never shorter than the
usual hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from availability.service.saga_holds import hold_length
from contracts.availability import HoldSlots
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, Probe, seed_studio
from .test_commands_in_any_order import hold_command

USUAL = timedelta(minutes=10)
LONGEST = timedelta(hours=74)


def hold_command_at(now: datetime) -> HoldSlots:
    starts_at = now + timedelta(days=3)
    return HoldSlots(
        booking_id=uuid.uuid4(),
        studio_id=uuid.uuid4(),
        room_id=uuid.uuid4(),
        time_range=TimeRange(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)),
    )


async def _expires_at(probe: Probe, booking_id: uuid.UUID) -> datetime:
    async def held() -> bool:
        return bool(probe.payloads("availability.slots_held", {booking_id}))

    await eventually(held)
    [payload] = probe.payloads("availability.slots_held", {booking_id})
    return datetime.fromisoformat(payload["expires_at"])


async def test_a_request_s_hold_lasts_until_asked_and_no_longer_than_the_bound(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    two_days, ten_days = uuid.uuid4(), uuid.uuid4()
    sent_at = datetime.now(UTC)

    wanted = sent_at + timedelta(hours=48)
    await probe.send(
        hold_command(studio, two_days, hour=9).model_copy(update={"hold_until": wanted})
    )
    too_long = {"hold_until": sent_at + timedelta(days=10)}
    await probe.send(hold_command(studio, ten_days, hour=12).model_copy(update=too_long))

    assert abs(await _expires_at(probe, two_days) - wanted) < timedelta(seconds=30)
    bounded = await _expires_at(probe, ten_days) - sent_at
    assert timedelta(hours=74) <= bounded < timedelta(hours=74, seconds=30)


def test_without_hold_until_or_asking_less_a_hold_gets_the_usual_minutes() -> None:
    now = datetime.now(UTC)
    command = hold_command_at(now)

    assert hold_length(command, USUAL, LONGEST, now) == USUAL
    soon = command.model_copy(update={"hold_until": now + timedelta(minutes=2)})
    assert hold_length(soon, USUAL, LONGEST, now) == USUAL
    later = command.model_copy(update={"hold_until": now + timedelta(hours=5)})
    assert hold_length(later, USUAL, LONGEST, now) == timedelta(hours=5)
