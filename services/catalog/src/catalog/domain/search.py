"""Search requests and their cursors: a stable order, and an opaque token to resume it."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import uuid
import zoneinfo
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from catalog.domain.amenities import Amenity
from catalog.domain.free_time import SLOT_MINUTES

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MIN_RADIUS_KM = 0.01
MAX_RADIUS_KM = 500.0
MINUTES_IN_DAY = 24 * 60
FURTHEST_SEARCH_DAYS = 3 * 366
RELEVANCE_CANDIDATES = 1000
"""How many matches a relevance search ranks: the best rated (ties by id) that pass its words
and its other filters (free at the time asked, when one is). Ranking every match of a common
word read the whole table; a page of the most relevant among the best rated costs the same
whatever the word, and a search with fewer matches ranks them all, as before. Past these, a
relevance search has no more pages."""


class SearchSort(StrEnum):
    RELEVANCE = "relevance"
    PRICE = "price"
    PRICE_DESC = "price_desc"
    DISTANCE = "distance"
    RATING = "rating"


class InvalidSearch(ValueError):
    """A search that cannot be run as asked (the message names the parameter)."""


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class FreeAt:
    """A room free on `day` (the studio's local date) for `minutes`, starting between
    `earliest` and `latest` (minutes after local midnight, both included) on the half hour.

    `near_today`: the day may be some studio's today, whose past starts are not free.
    `zones`: then, the time zones where a start of the window is still to come (None: any).
    """

    day: date
    earliest: int
    latest: int
    minutes: int
    near_today: bool = True
    zones: frozenset[str] | None = None

    @property
    def slots(self) -> range:
        """The half-hour starts in the window."""
        return range(-(-self.earliest // SLOT_MINUTES), self.latest // SLOT_MINUTES + 1)

    @property
    def halves(self) -> int:
        return self.minutes // SLOT_MINUTES

    def checked(self, now: datetime) -> FreeAt:
        """The search when it can be run at `now` (UTC); InvalidSearch naming the parameter."""
        today = now.date()
        if (
            not today - timedelta(days=1)
            <= self.day
            <= today + timedelta(days=FURTHEST_SEARCH_DAYS)
        ):
            raise InvalidSearch(f"date: from today to {FURTHEST_SEARCH_DAYS} days ahead")
        if self.latest < self.earliest:
            raise InvalidSearch("start_until: before start_from")
        if self.minutes % SLOT_MINUTES or not SLOT_MINUTES <= self.minutes <= MINUTES_IN_DAY:
            raise InvalidSearch(f"duration_minutes: a multiple of {SLOT_MINUTES} up to a day")
        if self.earliest + self.minutes > MINUTES_IN_DAY:
            raise InvalidSearch("duration_minutes: the session would end after midnight")
        if abs((self.day - today).days) > 1:
            return replace(self, near_today=False)
        return replace(self, zones=self._zones_still_open(now))

    def _zones_still_open(self, now: datetime) -> frozenset[str] | None:
        """The zones whose local now is before the window's last start on `day` (a minute
        early, for the database's clock); None when that is every zone. Late in a day, a search
        for today then reads only the studios of the zones where it is earlier, rather than
        testing every studio's free time to find none."""
        slots = self.slots
        if not slots:
            return frozenset()
        last_start = (self.day, slots[-1] * SLOT_MINUTES)
        local_nows = _local_nows(now.replace(second=0, microsecond=0) - timedelta(minutes=1))
        still_open = frozenset(zone for zone, local in local_nows.items() if local <= last_start)
        return None if len(still_open) == len(local_nows) else still_open


@functools.lru_cache(maxsize=2)
def _local_nows(now: datetime) -> dict[str, tuple[date, int]]:
    """Every time zone's local (date, minute of the day) at `now`: once a minute, ~600 zones."""
    local_nows = {}
    for zone in zoneinfo.available_timezones():
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        local_nows[zone] = (local.date(), local.hour * 60 + local.minute)
    return local_nows


def _storable(key: float) -> bool:
    """Whether a sort key fits the database's columns: an integer within BIGINT's range, or a
    finite float (an integer too large for a float cannot go through isfinite)."""
    if isinstance(key, int):
        return -(2**63) < key < 2**63
    return math.isfinite(key)


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: its last sort key and id, under one named order."""

    sort: str
    key: float | int
    last_id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.key, str(self.last_id)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor a token holds; InvalidSearch when it was not made by `encode`."""
        try:
            padded = token + "=" * (-len(token) % 4)
            sort, key, last_id = json.loads(base64.urlsafe_b64decode(padded))
            if not isinstance(sort, str) or isinstance(key, bool):
                raise TypeError(sort)
            if not isinstance(key, int | float) or not _storable(key):
                raise TypeError(key)
            return cls(sort, key, uuid.UUID(last_id))
        except (ValueError, TypeError, binascii.Error) as error:
            raise InvalidSearch("cursor: not a cursor this search returned") from error


@dataclass(frozen=True)
class StudioSearch:
    """What a booker asks of `GET /api/studios`; only published studios are ever found."""

    text: str | None = None
    near: Near | None = None
    city: str | None = None
    currency: str | None = None
    min_price_minor: int | None = None
    max_price_minor: int | None = None
    min_capacity: int | None = None
    amenities: frozenset[Amenity] = frozenset()
    min_rating: float | None = None
    free_at: FreeAt | None = None
    sort: SearchSort | None = None
    limit: int = DEFAULT_LIMIT
    cursor: Cursor | None = None

    @property
    def order(self) -> SearchSort:
        """The sort asked for, else relevance for text, distance near a point, rating otherwise."""
        if self.sort is not None:
            return self.sort
        if self.text:
            return SearchSort.RELEVANCE
        if self.near:
            return SearchSort.DISTANCE
        return SearchSort.RATING

    def checked(self) -> StudioSearch:
        """The search when its parts fit together; InvalidSearch naming the parameter if not."""
        if self.order is SearchSort.RELEVANCE and not self.text:
            raise InvalidSearch("sort: relevance needs a text query (q)")
        if self.order is SearchSort.DISTANCE and self.near is None:
            raise InvalidSearch("sort: distance needs lat, lng and radius_km")
        if self.cursor is not None and self.cursor.sort != self.order.value:
            raise InvalidSearch("cursor: it belongs to a search with another sort")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidSearch(f"limit: 1 to {MAX_LIMIT}")
        if self.near and not MIN_RADIUS_KM <= self.near.radius_km <= MAX_RADIUS_KM:
            raise InvalidSearch(f"radius_km: {MIN_RADIUS_KM} to {MAX_RADIUS_KM}")
        both = self.min_price_minor is not None and self.max_price_minor is not None
        if both and self.min_price_minor > self.max_price_minor:  # type: ignore[operator]
            raise InvalidSearch("min_price_minor: above max_price_minor")
        return self
