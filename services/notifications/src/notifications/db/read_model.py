"""What notifications knows of people, studios and bookings, kept from other services' events."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.tables import bookings, email_preferences, emails, people, studios
from notifications.domain.notices import BookingStatus
from notifications.domain.read_models import Booking, Person, Studio


class SqlReadModel:
    """People, studios and bookings as notifications knows them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_person(self, person: Person) -> None:
        values = {"id": person.id, "email": person.email, "name": person.name}
        await self._session.execute(
            pg_insert(people)
            .values(values)
            .on_conflict_do_update(
                index_elements=[people.c.id],
                set_={"email": person.email, "name": person.name, "updated_at": func.now()},
            )
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
        row = (await self._session.execute(select(people).where(people.c.id == person_id))).first()
        return Person(row.id, row.email, row.name) if row else None

    async def save_studio(self, studio: Studio) -> None:
        """Keep the studio unless a later revision is already kept (the bus does not order)."""
        values: dict[str, Any] = {
            "id": studio.id,
            "revision": studio.revision,
            "owner_id": studio.owner_id,
            "name": studio.name,
            "timezone": studio.timezone,
            "address": studio.address,
            "city": studio.city,
            "country": studio.country,
            "rooms": {str(room_id): name for room_id, name in studio.rooms.items()},
        }
        statement = pg_insert(studios).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[studios.c.id],
                set_={
                    **{k: statement.excluded[k] for k in values if k != "id"},
                    "updated_at": func.now(),
                },
                where=studios.c.revision < statement.excluded.revision,
            )
        )

    async def studio_and_people(
        self, studio_id: uuid.UUID, booker_id: uuid.UUID, owner_id: uuid.UUID
    ) -> tuple[Studio | None, Person | None, Person | None]:
        """The studio and the two people, each if known, in one query: one row whatever is
        known (each joined to a row of one), so an unknown one reads as nulls."""
        booker, owner = people.alias("booker"), people.alias("owner")
        one = select(literal(1).label("one")).subquery("one")
        row = (
            await self._session.execute(
                select(
                    studios,
                    booker.c.id.label("booker_id"),
                    booker.c.email.label("booker_email"),
                    booker.c.name.label("booker_name"),
                    owner.c.id.label("owner_person_id"),
                    owner.c.email.label("owner_email"),
                    owner.c.name.label("owner_name"),
                ).select_from(
                    one.outerjoin(studios, studios.c.id == studio_id)
                    .outerjoin(booker, booker.c.id == booker_id)
                    .outerjoin(owner, owner.c.id == owner_id)
                )
            )
        ).one()
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
        await self._session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(str(booking_id), 0)))
        )
        return await self.booking(booking_id)

    async def booking(self, booking_id: uuid.UUID) -> Booking | None:
        row = (
            await self._session.execute(select(bookings).where(bookings.c.id == booking_id))
        ).first()
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

    async def add_booking(self, booking: Booking) -> None:
        """Insert the booking unless it is known already (then it stays as it is); needs no
        lock: a concurrent insert of the same booking is waited for by the unique key."""
        values = _booking_values(booking)
        await self._session.execute(
            pg_insert(bookings)
            .values(values)
            .on_conflict_do_nothing(index_elements=[bookings.c.id])
        )

    async def save_booking(self, booking: Booking) -> None:
        """Insert the booking, or move it to the given status (the caller locked it first)."""
        await self._session.execute(
            pg_insert(bookings)
            .values(_booking_values(booking))
            .on_conflict_do_update(
                index_elements=[bookings.c.id],
                set_={"status": booking.status.value, "updated_at": func.now()},
            )
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
