"""Owners' secret calendar feeds (.ics) and the public feed behind each secret."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict

from availability.api.deps import AvailabilityUnitsDep, SettingsDep, actor_of, invalid
from availability.domain.calendar_feeds import CalendarFeed, UnknownRoom
from availability.service import calendar_feeds
from service_runtime.auth import OwnerUser

router = APIRouter(tags=["calendar feeds"])
FEEDS = "/api/availability/studios/{studio_id}/calendar-feeds"
FEED_PATH = "/api/availability/feeds/{secret}.ics"


class FeedIn(BaseModel):
    """A feed of the whole studio, or of one room when `room_id` is given."""

    model_config = ConfigDict(extra="forbid")

    room_id: uuid.UUID | None = None


class FeedOut(BaseModel):
    id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID | None
    created_at: datetime
    rotated_at: datetime

    @classmethod
    def of(cls, feed: CalendarFeed) -> FeedOut:
        return cls(
            id=feed.id,
            studio_id=feed.studio_id,
            room_id=feed.room_id,
            created_at=feed.created_at,
            rotated_at=feed.rotated_at,
        )


class FeedWithSecret(FeedOut):
    """Only the answer to a creation or rotation carries the secret: it is not stored."""

    path: str

    @classmethod
    def with_secret(cls, feed: CalendarFeed, secret: str) -> FeedWithSecret:
        return cls(**FeedOut.of(feed).model_dump(), path=FEED_PATH.format(secret=secret))


@router.get(FEEDS)
async def feeds(
    studio_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> list[FeedOut]:
    """The studio's feeds, without their secrets; 404 for anyone but the studio's owner."""
    found = await calendar_feeds.feeds(units, studio_id, actor_of(owner))
    return [FeedOut.of(feed) for feed in found]


@router.post(FEEDS, status_code=status.HTTP_201_CREATED)
async def create_feed(
    studio_id: uuid.UUID,
    body: FeedIn,
    owner: OwnerUser,
    units: AvailabilityUnitsDep,
    settings: SettingsDep,
) -> FeedWithSecret:
    """A new feed; its URL is in this answer only. 409 past the studio's limit of feeds."""
    try:
        feed, secret = await calendar_feeds.create_feed(
            units,
            studio_id,
            actor_of(owner),
            body.room_id,
            limit=settings.max_calendar_feeds_per_studio,
            now=units.clock(),
        )
    except UnknownRoom as error:
        raise invalid("body", "room_id", str(error)) from error
    return FeedWithSecret.with_secret(feed, secret)


@router.post(f"{FEEDS}/{{feed_id}}/rotate")
async def rotate_feed(
    studio_id: uuid.UUID, feed_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> FeedWithSecret:
    """A new URL for the feed; the old one answers 404 from now on."""
    feed, secret = await calendar_feeds.rotate_feed(
        units, studio_id, actor_of(owner), feed_id, units.clock()
    )
    return FeedWithSecret.with_secret(feed, secret)


@router.delete(f"{FEEDS}/{{feed_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_feed(
    studio_id: uuid.UUID, feed_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> None:
    await calendar_feeds.revoke_feed(units, studio_id, actor_of(owner), feed_id)


Secret = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get(
    FEED_PATH,
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "iCalendar"}},
)
async def feed(secret: Secret, units: AvailabilityUnitsDep, settings: SettingsDep) -> Response:
    """Public: whoever has the URL sees the feed; revoked, rotated or unknown secrets are 404."""
    document = await calendar_feeds.feed_document(
        units, secret, now=units.clock(), limit=settings.max_feed_events
    )
    return Response(
        document,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": f"private, max-age={settings.feed_cache_seconds}"},
    )
