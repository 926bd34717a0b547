"""Catalog's tables and the queries that load and save studios, bookings and reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    Select,
    SmallInteger,
    Table,
    Text,
    Uuid,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.domain.amenities import Amenity
from catalog.domain.bookings import UpcomingBooking
from catalog.domain.ratings import RatingSummary
from catalog.domain.reviews import CompletedBooking, Review
from catalog.domain.search import Cursor
from catalog.domain.studios import DEFAULT_MAXIMUM_HOURS, Photo, Room, Studio
from contracts.catalog import StudioStatus
from contracts.values import CancellationPolicy
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()

# Name and city weigh more than the description; 'english' stems all three alike.
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(city, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')"
)

studios = Table(
    "studios",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, nullable=False, index=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("address", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("latitude", Double, nullable=False),
    Column("longitude", Double, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("hourly_price_minor", BigInteger, nullable=False),
    Column("minimum_hours", Integer, nullable=False),
    Column("maximum_hours", Integer, nullable=False, server_default=str(DEFAULT_MAXIMUM_HOURS)),
    Column("capacity", Integer, nullable=False),
    Column("amenities", ARRAY(Text), nullable=False, server_default="{}"),
    Column("cancellation_policy", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("suspended_from", Text),
    Column("suspension_reason", Text),
    Column("version", Integer, nullable=False),
    Column("rating_total", Integer, nullable=False, server_default="0"),
    Column("rating_count", Integer, nullable=False, server_default="0"),
    Column("rating_average", Numeric(3, 2)),
    Column("search_vector", TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("hourly_price_minor >= 0", name="studios_price_not_negative"),
    CheckConstraint("latitude BETWEEN -90 AND 90", name="studios_latitude_range"),
    CheckConstraint("longitude BETWEEN -180 AND 180", name="studios_longitude_range"),
)
Index("studios_search_vector", studios.c.search_vector, postgresql_using="gin")
Index("studios_amenities", studios.c.amenities, postgresql_using="gin")
Index("studios_status_price", studios.c.status, studios.c.hourly_price_minor, studios.c.id)
Index("studios_city", func.lower(studios.c.city))
# Needs the cube and earthdistance extensions, which the migration creates by hand first.
Index(
    "studios_location",
    func.ll_to_earth(studios.c.latitude, studios.c.longitude),
    postgresql_using="gist",
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, ForeignKey("studios.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("capacity", Integer, nullable=False),
    Column("hourly_price_minor", BigInteger),
    Index("rooms_studio", "studio_id", "position"),
)

studio_photos = Table(
    "studio_photos",
    metadata,
    Column(
        "studio_id",
        Uuid,
        ForeignKey("studios.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("caption", Text, nullable=False, server_default=""),
)

completed_bookings = Table(
    "completed_bookings",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booker_id", Uuid, nullable=False),
    Column("studio_id", Uuid, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
)

# Booking's confirmed bookings, kept so that catalog refuses changes that would break them.
# A row whose booking ended (cancelled, completed, failed, no-show) stays as `live = false`,
# so a BookingConfirmed redelivered after its booking's end cannot bring it back.
booked_sessions = Table(
    "booked_sessions",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False),
    Column("room_id", Uuid, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("live", Boolean, nullable=False),
    Index("booked_sessions_live", "studio_id", "ends_at", postgresql_where=text("live")),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, ForeignKey("studios.id", ondelete="CASCADE"), nullable=False),
    Column("booking_id", Uuid, nullable=False, unique=True),
    Column("booker_id", Uuid, nullable=False),
    Column("rating", SmallInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answer", Text),
    Column("answered_at", DateTime(timezone=True)),
    CheckConstraint("rating BETWEEN 1 AND 5", name="reviews_rating_range"),
    Index("reviews_studio_newest", "studio_id", "created_at", "id"),
)

# Identity's names of its users (from UserCreated and UserUpdated), for reviews to show who
# wrote them without asking identity at read time; `named_at` keeps a late event from winning.
reviewer_names = Table(
    "reviewer_names",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("named_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)


def studio_values(studio: Studio) -> dict[str, Any]:
    """The studios row of a studio (without its rooms and photos)."""
    return {
        "id": studio.id,
        "owner_id": studio.owner_id,
        "slug": studio.slug,
        "name": studio.name,
        "description": studio.description,
        "address": studio.address,
        "city": studio.city,
        "country": studio.country,
        "latitude": studio.latitude,
        "longitude": studio.longitude,
        "timezone": studio.timezone,
        "currency": studio.currency,
        "hourly_price_minor": studio.hourly_price_minor,
        "minimum_hours": studio.minimum_hours,
        "maximum_hours": studio.maximum_hours,
        "capacity": studio.capacity,
        "amenities": [amenity.value for amenity in studio.amenities],
        "cancellation_policy": studio.cancellation_policy.value,
        "status": studio.status.value,
        "suspended_from": studio.suspended_from.value if studio.suspended_from else None,
        "suspension_reason": studio.suspension_reason,
        "version": studio.version,
        "rating_total": studio.rating.total,
        "rating_count": studio.rating.count,
        "rating_average": studio.rating.average,
    }


def room_values(studio_id: uuid.UUID, position: int, room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "studio_id": studio_id,
        "position": position,
        "name": room.name,
        "description": room.description,
        "capacity": room.capacity,
        "hourly_price_minor": room.hourly_price_minor,
    }


def photo_values(studio_id: uuid.UUID, position: int, photo: Photo) -> dict[str, Any]:
    return {
        "studio_id": studio_id,
        "position": position,
        "url": photo.url,
        "caption": photo.caption,
    }


def studio_of(row: Any, room_rows: Sequence[Any] = (), photo_rows: Sequence[Any] = ()) -> Studio:
    return Studio(
        id=row.id,
        owner_id=row.owner_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        address=row.address,
        city=row.city,
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
        timezone=row.timezone,
        currency=row.currency,
        hourly_price_minor=row.hourly_price_minor,
        minimum_hours=row.minimum_hours,
        maximum_hours=row.maximum_hours,
        capacity=row.capacity,
        amenities=tuple(Amenity(value) for value in row.amenities),
        photos=tuple(Photo(url=p.url, caption=p.caption) for p in photo_rows),
        cancellation_policy=CancellationPolicy(row.cancellation_policy),
        status=StudioStatus(row.status),
        rooms=tuple(
            Room(
                id=r.id,
                name=r.name,
                capacity=r.capacity,
                hourly_price_minor=r.hourly_price_minor,
                description=r.description,
            )
            for r in room_rows
        ),
        version=row.version,
        rating=RatingSummary(total=row.rating_total, count=row.rating_count),
        suspended_from=StudioStatus(row.suspended_from) if row.suspended_from else None,
        suspension_reason=row.suspension_reason,
    )


async def studio_by(
    session: AsyncSession,
    *,
    studio_id: uuid.UUID | None = None,
    slug: str | None = None,
    for_update: bool = False,
) -> Studio | None:
    """A studio with its rooms and photos, by id or slug; locked for the transaction if asked."""
    query = select(studios).where(
        studios.c.id == studio_id if studio_id is not None else studios.c.slug == slug
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        return None
    room_rows = (
        await session.execute(
            select(rooms).where(rooms.c.studio_id == row.id).order_by(rooms.c.position)
        )
    ).all()
    photo_rows = (
        await session.execute(
            select(studio_photos)
            .where(studio_photos.c.studio_id == row.id)
            .order_by(studio_photos.c.position)
        )
    ).all()
    return studio_of(row, room_rows, photo_rows)


async def studios_of_owner(session: AsyncSession, owner_id: uuid.UUID) -> list[Studio]:
    """An owner's studios, newest first, with their rooms and photos."""
    rows = (
        await session.execute(
            select(studios)
            .where(studios.c.owner_id == owner_id)
            .order_by(studios.c.created_at.desc(), studios.c.id)
        )
    ).all()
    ids = [row.id for row in rows]
    room_rows = (
        await session.execute(
            select(rooms).where(rooms.c.studio_id.in_(ids)).order_by(rooms.c.position)
        )
    ).all()
    photo_rows = (
        await session.execute(
            select(studio_photos)
            .where(studio_photos.c.studio_id.in_(ids))
            .order_by(studio_photos.c.position)
        )
    ).all()
    return [
        studio_of(
            row,
            [r for r in room_rows if r.studio_id == row.id],
            [p for p in photo_rows if p.studio_id == row.id],
        )
        for row in rows
    ]


async def slugs_like(session: AsyncSession, base: str) -> set[str]:
    """Slugs taken by this base or its numbered variants. Studios created at once under one
    name wait for each other here until the transaction ends, so each picks a free slug."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(base, 0))))
    rows = await session.execute(
        select(studios.c.slug).where(
            or_(studios.c.slug == base, studios.c.slug.like(f"{base}-%", escape="\\"))
        )
    )
    return {row.slug for row in rows}


async def add_studio(session: AsyncSession, studio: Studio) -> None:
    await session.execute(insert(studios).values(studio_values(studio)))
    await _insert_parts(session, studio)


async def save_studio(session: AsyncSession, studio: Studio, *, previous_version: int) -> bool:
    """Store a changed studio if nobody changed it since `previous_version`; False if they did."""
    values = studio_values(studio)
    for unchanged in ("id", "owner_id", "slug", "rating_total", "rating_count", "rating_average"):
        values.pop(unchanged)
    result = await session.execute(
        update(studios)
        .where(and_(studios.c.id == studio.id, studios.c.version == previous_version))
        .values(**values, updated_at=func.now())
        .returning(studios.c.id)
    )
    if result.first() is None:
        return False
    await session.execute(delete(rooms).where(rooms.c.studio_id == studio.id))
    await session.execute(delete(studio_photos).where(studio_photos.c.studio_id == studio.id))
    await _insert_parts(session, studio)
    return True


async def _insert_parts(session: AsyncSession, studio: Studio) -> None:
    if studio.rooms:
        await session.execute(
            insert(rooms), [room_values(studio.id, i, r) for i, r in enumerate(studio.rooms)]
        )
    if studio.photos:
        await session.execute(
            insert(studio_photos),
            [photo_values(studio.id, i, p) for i, p in enumerate(studio.photos)],
        )


async def save_rating(session: AsyncSession, studio_id: uuid.UUID, rating: RatingSummary) -> None:
    await session.execute(
        update(studios)
        .where(studios.c.id == studio_id)
        .values(rating_total=rating.total, rating_count=rating.count, rating_average=rating.average)
    )


async def owner_and_rating_for_update(
    session: AsyncSession, studio_id: uuid.UUID
) -> tuple[uuid.UUID, RatingSummary] | None:
    """The studio's owner and rating summary, locked until the transaction ends (None: no such
    studio)."""
    row = (
        await session.execute(
            select(studios.c.owner_id, studios.c.rating_total, studios.c.rating_count)
            .where(studios.c.id == studio_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        return None
    return row.owner_id, RatingSummary(total=row.rating_total, count=row.rating_count)


async def add_completed_booking(session: AsyncSession, booking: CompletedBooking) -> None:
    await session.execute(
        pg_insert(completed_bookings)
        .values(
            booking_id=booking.booking_id,
            booker_id=booking.booker_id,
            studio_id=booking.studio_id,
            completed_at=booking.completed_at,
        )
        .on_conflict_do_nothing()
    )


async def completed_booking(
    session: AsyncSession, booking_id: uuid.UUID
) -> CompletedBooking | None:
    row = (
        await session.execute(
            select(completed_bookings).where(completed_bookings.c.booking_id == booking_id)
        )
    ).first()
    if row is None:
        return None
    return CompletedBooking(row.booking_id, row.booker_id, row.studio_id, row.completed_at)


async def add_booked_session(
    session: AsyncSession, studio_id: uuid.UUID, booking: UpcomingBooking
) -> None:
    """Remember a confirmed booking, unless its end is known already."""
    await session.execute(
        pg_insert(booked_sessions)
        .values(_booked_session_values(studio_id, booking, live=True))
        .on_conflict_do_nothing()
    )


async def end_booked_session(
    session: AsyncSession, studio_id: uuid.UUID, booking: UpcomingBooking
) -> None:
    """Mark a booking ended for good, whether or not its confirmation has arrived yet."""
    statement = pg_insert(booked_sessions).values(
        _booked_session_values(studio_id, booking, live=False)
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[booked_sessions.c.booking_id], set_={"live": False}
        )
    )


def _booked_session_values(
    studio_id: uuid.UUID, booking: UpcomingBooking, *, live: bool
) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "studio_id": studio_id,
        "room_id": booking.room_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "live": live,
    }


async def upcoming_bookings(
    session: AsyncSession, studio_id: uuid.UUID, *, now: datetime
) -> list[UpcomingBooking]:
    """The studio's confirmed bookings that have not ended by `now`, soonest first."""
    rows = await session.execute(
        select(booked_sessions)
        .where(
            booked_sessions.c.studio_id == studio_id,
            booked_sessions.c.live,
            booked_sessions.c.ends_at > now,
        )
        .order_by(booked_sessions.c.starts_at, booked_sessions.c.booking_id)
    )
    return [UpcomingBooking(r.booking_id, r.room_id, r.starts_at, r.ends_at) for r in rows]


def _review(row: Any) -> Review:
    return Review(
        id=row.id,
        studio_id=row.studio_id,
        booking_id=row.booking_id,
        booker_id=row.booker_id,
        rating=row.rating,
        text=row.text,
        created_at=row.created_at,
        answer=row.answer,
        answered_at=row.answered_at,
        reviewer_name=row.reviewer_name,
    )


def _reviews_named() -> Select[Any]:
    """Reviews with their booker's name, when identity has told catalog one."""
    return select(reviews, reviewer_names.c.name.label("reviewer_name")).outerjoin(
        reviewer_names, reviewer_names.c.user_id == reviews.c.booker_id
    )


async def record_user_name(
    session: AsyncSession, user_id: uuid.UUID, name: str, named_at: datetime
) -> None:
    """Keep the newest name identity announced for a user; an older event changes nothing."""
    statement = pg_insert(reviewer_names).values(user_id=user_id, name=name, named_at=named_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[reviewer_names.c.user_id],
            set_={"name": statement.excluded.name, "named_at": statement.excluded.named_at},
            where=reviewer_names.c.named_at < statement.excluded.named_at,
        )
    )


async def user_name(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    query = select(reviewer_names.c.name).where(reviewer_names.c.user_id == user_id)
    name: str | None = (await session.execute(query)).scalar_one_or_none()
    return name


async def review_exists_for(session: AsyncSession, booking_id: uuid.UUID) -> bool:
    query = select(reviews.c.id).where(reviews.c.booking_id == booking_id)
    return (await session.execute(query)).first() is not None


async def add_review(session: AsyncSession, review: Review) -> None:
    await session.execute(
        insert(reviews).values(
            id=review.id,
            studio_id=review.studio_id,
            booking_id=review.booking_id,
            booker_id=review.booker_id,
            rating=review.rating,
            text=review.text,
            created_at=review.created_at,
        )
    )


async def review_for_update(
    session: AsyncSession, studio_id: uuid.UUID, review_id: uuid.UUID
) -> Review | None:
    row = (
        await session.execute(
            _reviews_named()
            .where(and_(reviews.c.id == review_id, reviews.c.studio_id == studio_id))
            .with_for_update(of=reviews)
        )
    ).first()
    return _review(row) if row else None


async def save_answer(session: AsyncSession, review: Review) -> None:
    await session.execute(
        update(reviews)
        .where(reviews.c.id == review.id)
        .values(answer=review.answer, answered_at=review.answered_at)
    )


async def reviews_of(
    session: AsyncSession, studio_id: uuid.UUID, *, limit: int, after: Cursor | None
) -> list[Review]:
    """A studio's reviews, newest first; the cursor's key is created_at in microseconds."""
    created_us = func.floor(func.extract("epoch", reviews.c.created_at) * 1_000_000)
    query = _reviews_named().where(reviews.c.studio_id == studio_id)
    if after is not None:
        query = query.where(
            or_(
                created_us < after.key,
                and_(created_us == after.key, reviews.c.id > after.last_id),
            )
        )
    query = query.order_by(reviews.c.created_at.desc(), reviews.c.id).limit(limit)
    return [_review(row) for row in (await session.execute(query)).all()]
