"""Studios with their rooms and photos: the tables, and loading and saving a studio."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    Uuid,
    and_,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncConnection

from catalog.db.base import metadata
from catalog.db.studio_rows import photo_values, room_values, studio_of, studio_values
from catalog.domain.ratings import RatingSummary
from catalog.domain.studios import DEFAULT_MAXIMUM_HOURS, Studio

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
    Column("add_ons", JSONB, nullable=False, server_default="[]"),  # a short list, always loaded
    Column("cancellation_policy", Text, nullable=False),
    Column("booking_mode", Text, nullable=False, server_default="instant"),
    Column("request_window_hours", Integer, nullable=False, server_default="24"),
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
# A search for a time later today in one zone reads only the studios of the zones where it is
# still to come (catalog.domain.search.FreeAt.zones).
Index("studios_timezone", studios.c.timezone)
# Search's rating order (its default without words or a place) read in order, not sorted.
Index(
    "studios_published_rating",
    # As PostgreSQL prints it back, so that migrations and this model compare equal.
    literal_column("(COALESCE(rating_average, 0::numeric)::double precision)").desc(),
    studios.c.id,
    postgresql_where=text("(status = 'published'::text)"),
)
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


class SqlStudios:
    """Studios on PostgreSQL: a studio with its rooms and photos, its rating summary."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def studio_by(
        self,
        *,
        studio_id: uuid.UUID | None = None,
        slug: str | None = None,
        for_update: bool = False,
    ) -> Studio | None:
        """A studio with its rooms and photos, by id or slug; locked for the transaction if
        asked."""
        query = select(studios).where(
            studios.c.id == studio_id if studio_id is not None else studios.c.slug == slug
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        room_rows = (
            await self._session.execute(
                select(rooms).where(rooms.c.studio_id == row.id).order_by(rooms.c.position)
            )
        ).all()
        photo_rows = (
            await self._session.execute(
                select(studio_photos)
                .where(studio_photos.c.studio_id == row.id)
                .order_by(studio_photos.c.position)
            )
        ).all()
        return studio_of(row, room_rows, photo_rows)

    async def studios_of_owner(self, owner_id: uuid.UUID) -> list[Studio]:
        """An owner's studios, newest first, with their rooms and photos."""
        rows = (
            await self._session.execute(
                select(studios)
                .where(studios.c.owner_id == owner_id)
                .order_by(studios.c.created_at.desc(), studios.c.id)
            )
        ).all()
        ids = [row.id for row in rows]
        room_rows = (
            await self._session.execute(
                select(rooms).where(rooms.c.studio_id.in_(ids)).order_by(rooms.c.position)
            )
        ).all()
        photo_rows = (
            await self._session.execute(
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

    async def slugs_like(self, base: str) -> set[str]:
        """Slugs taken by this base or its numbered variants. Studios created at once under one
        name wait for each other here until the transaction ends, so each picks a free slug."""
        await self._session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(base, 0)))
        )
        rows = await self._session.execute(
            select(studios.c.slug).where(
                or_(studios.c.slug == base, studios.c.slug.like(f"{base}-%", escape="\\"))
            )
        )
        return {row.slug for row in rows}

    async def add(self, studio: Studio) -> None:
        await self._session.execute(insert(studios).values(studio_values(studio)))
        await self._insert_parts(studio)

    async def save(self, studio: Studio, *, previous_version: int) -> bool:
        """Store a changed studio if nobody changed it since `previous_version`; False if they
        did."""
        values = studio_values(studio)
        for unchanged in (
            "id",
            "owner_id",
            "slug",
            "rating_total",
            "rating_count",
            "rating_average",
        ):
            values.pop(unchanged)
        result = await self._session.execute(
            update(studios)
            .where(and_(studios.c.id == studio.id, studios.c.version == previous_version))
            .values(**values, updated_at=func.now())
            .returning(studios.c.id)
        )
        if result.first() is None:
            return False
        await self._session.execute(delete(rooms).where(rooms.c.studio_id == studio.id))
        await self._session.execute(
            delete(studio_photos).where(studio_photos.c.studio_id == studio.id)
        )
        await self._insert_parts(studio)
        return True

    async def _insert_parts(self, studio: Studio) -> None:
        if studio.rooms:
            await self._session.execute(
                insert(rooms), [room_values(studio.id, i, r) for i, r in enumerate(studio.rooms)]
            )
        if studio.photos:
            await self._session.execute(
                insert(studio_photos),
                [photo_values(studio.id, i, p) for i, p in enumerate(studio.photos)],
            )

    async def save_rating(self, studio_id: uuid.UUID, rating: RatingSummary) -> None:
        await self._session.execute(
            update(studios)
            .where(studios.c.id == studio_id)
            .values(
                rating_total=rating.total, rating_count=rating.count, rating_average=rating.average
            )
        )

    async def owner_and_rating_for_update(
        self, studio_id: uuid.UUID
    ) -> tuple[uuid.UUID, RatingSummary] | None:
        """The studio's owner and rating summary, locked until the transaction ends (None: no such
        studio)."""
        row = (
            await self._session.execute(
                select(studios.c.owner_id, studios.c.rating_total, studios.c.rating_count)
                .where(studios.c.id == studio_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        return row.owner_id, RatingSummary(total=row.rating_total, count=row.rating_count)
