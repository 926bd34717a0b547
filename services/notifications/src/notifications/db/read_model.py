"""What notifications knows of people, studios and bookings, kept from other services' events."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Select,
    bindparam,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts import Envelope
from notifications.db.tables import bookings, email_preferences, emails, people, studios
from notifications.domain.notices import BookingStatus
from notifications.domain.read_models import Booking, Person, Studio
from service_runtime.db import DriverStatement

# The statements every event runs, built once (a statement built per call costs more CPU than
# its round trip); the upserts as text, since SQLAlchemy 2.0 compiles PostgreSQL's
# INSERT .. ON CONFLICT anew at every execution. A booking's run on the driver
# (`DriverStatement`): every booking event runs them.
_SAVE_PERSON = text(
    "INSERT INTO people (id, email, name) VALUES (:id, :email, :name)"
    " ON CONFLICT (id) DO UPDATE"
    " SET email = excluded.email, name = excluded.name, updated_at = now()"
)
_PERSON = select(people).where(people.c.id == bindparam("person_id"))
_SAVE_STUDIO = text(
    "INSERT INTO studios (id, revision, owner_id, name, timezone, address, city, country, rooms)"
    " VALUES (:id, :revision, :owner_id, :name, :timezone, :address, :city, :country, :rooms)"
    " ON CONFLICT (id) DO UPDATE SET revision = excluded.revision,"
    " owner_id = excluded.owner_id, name = excluded.name, timezone = excluded.timezone,"
    " address = excluded.address, city = excluded.city, country = excluded.country,"
    " rooms = excluded.rooms, updated_at = now()"
    " WHERE studios.revision < excluded.revision"
).bindparams(bindparam("rooms", type_=JSONB))
_LOCK_BOOKING = DriverStatement(
    select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("booking_key"), 0)))
)
_BOOKING = DriverStatement(select(bookings).where(bookings.c.id == bindparam("booking_id")))
_INSERT_BOOKING = (
    "INSERT INTO bookings (id, booker_id, owner_id, studio_id, room_id, starts_at, ends_at, status)"
    " VALUES (:id, :booker_id, :owner_id, :studio_id, :room_id, :starts_at, :ends_at, :status)"
)
# The booking saved, and what waited for it taken back, in one round trip.
_SAVE_BOOKING = DriverStatement(
    text(
        f"WITH saved AS ({_INSERT_BOOKING} ON CONFLICT (id) DO UPDATE"
        " SET status = excluded.status, updated_at = now())"
        " DELETE FROM waiting_events WHERE booking_id = :id RETURNING envelope"
    )
)
_WAIT_FOR_BOOKING = DriverStatement(
    text(
        "INSERT INTO waiting_events (message_id, booking_id, envelope)"
        " VALUES (:message_id, :booking_id, :envelope) ON CONFLICT (message_id) DO NOTHING"
    ).bindparams(bindparam("envelope", type_=JSONB))
)


def _studio_and_people_query() -> Select[Any]:
    """The studio and the two people, in one row whatever is known (each joined to a row of
    one), so an unknown one reads as nulls."""
    booker, owner = people.alias("booker"), people.alias("owner")
    one = select(literal(1).label("one")).subquery("one")
    return select(
        studios,
        booker.c.id.label("booker_id"),
        booker.c.email.label("booker_email"),
        booker.c.name.label("booker_name"),
        owner.c.id.label("owner_person_id"),
        owner.c.email.label("owner_email"),
        owner.c.name.label("owner_name"),
    ).select_from(
        one.outerjoin(studios, studios.c.id == bindparam("studio_id"))
        .outerjoin(booker, booker.c.id == bindparam("booker_id"))
        .outerjoin(owner, owner.c.id == bindparam("owner_id"))
    )


_STUDIO_AND_PEOPLE = DriverStatement(_studio_and_people_query())


class SqlReadModel:
    """People, studios and bookings as notifications knows them."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def save_person(self, person: Person) -> None:
        await self._session.execute(
            _SAVE_PERSON, {"id": person.id, "email": person.email, "name": person.name}
        )

    async def forget_person(self, person_id: uuid.UUID) -> None:
        """The person deleted their account: forget their address and name, withdraw what was
        not yet sent to them and blank what was (the rows stay, so an event replayed adds none);
        their email preferences go too."""
        await self._session.execute(delete(people).where(people.c.id == person_id))
        mine = emails.c.recipient_id == person_id
        await self._session.execute(
            update(emails).where(mine, emails.c.status == "pending").values(status="withdrawn")
        )
        await self._session.execute(
            update(emails)
            .where(mine)
            .values(to_address="", text_body="", html_body="", calendar=None, last_error=None)
        )
        await self._session.execute(
            delete(email_preferences).where(email_preferences.c.person_id == person_id)
        )

    async def person(self, person_id: uuid.UUID) -> Person | None:
        row = (await self._session.execute(_PERSON, {"person_id": person_id})).first()
        return Person(row.id, row.email, row.name) if row else None

    async def save_studio(self, studio: Studio) -> None:
        """Keep the studio unless a later revision is already kept (the bus does not order)."""
        await self._session.execute(
            _SAVE_STUDIO,
            {
                "id": studio.id,
                "revision": studio.revision,
                "owner_id": studio.owner_id,
                "name": studio.name,
                "timezone": studio.timezone,
                "address": studio.address,
                "city": studio.city,
                "country": studio.country,
                "rooms": {str(room_id): name for room_id, name in studio.rooms.items()},
            },
        )

    async def studio_and_people(
        self, studio_id: uuid.UUID, booker_id: uuid.UUID, owner_id: uuid.UUID
    ) -> tuple[Studio | None, Person | None, Person | None]:
        """The studio and the two people, each if known, in one query."""
        (row,) = await _STUDIO_AND_PEOPLE.rows(  # one row, whatever is known
            self._session, {"studio_id": studio_id, "booker_id": booker_id, "owner_id": owner_id}
        )
        studio = None
        if row.id is not None:
            studio = Studio(
                id=row.id,
                revision=row.revision,
                owner_id=row.owner_id,
                name=row.name,
                timezone=row.timezone,
                address=row.address,
                city=row.city,
                country=row.country,
                rooms={uuid.UUID(room_id): name for room_id, name in row.rooms.items()},
            )
        return (
            studio,
            None
            if row.booker_id is None
            else Person(row.booker_id, row.booker_email, row.booker_name),
            None
            if row.owner_person_id is None
            else Person(row.owner_person_id, row.owner_email, row.owner_name),
        )

    async def lock_booking(self, booking_id: uuid.UUID) -> Booking | None:
        """The booking as known, if at all; its events wait for each other until commit (a lock on
        the id, since the row may not exist yet)."""
        await _LOCK_BOOKING.rows(self._session, {"booking_key": str(booking_id)})
        return await self.booking(booking_id)

    async def booking(self, booking_id: uuid.UUID) -> Booking | None:
        row = await _BOOKING.first(self._session, {"booking_id": booking_id})
        if row is None:
            return None
        return Booking(
            id=row.id,
            booker_id=row.booker_id,
            owner_id=row.owner_id,
            studio_id=row.studio_id,
            room_id=row.room_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=BookingStatus(row.status),
        )

    async def save_booking(self, booking: Booking) -> list[Envelope]:
        """Insert the booking, or move it to the given status (the caller locked it first);
        the events that waited for it, taken off the wait (oldest first)."""
        rows = await _SAVE_BOOKING.rows(self._session, _booking_values(booking))
        waiting = [Envelope.model_validate(row.envelope) for row in rows]
        return sorted(waiting, key=lambda envelope: envelope.occurred_at)

    async def wait_for_booking(self, booking_id: uuid.UUID, envelope: Envelope) -> None:
        """Keep the event until its booking is saved (the caller locked the booking first)."""
        await _WAIT_FOR_BOOKING.rows(
            self._session,
            {
                "message_id": envelope.message_id,
                "booking_id": booking_id,
                "envelope": envelope.model_dump(mode="json"),
            },
        )


def _booking_values(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "booker_id": booking.booker_id,
        "owner_id": booking.owner_id,
        "studio_id": booking.studio_id,
        "room_id": booking.room_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status.value,
    }
