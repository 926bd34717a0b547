"""Demo and benchmark data: many realistic published studios, bulk-loaded with COPY.

Studios are spread over real cities (their centre plus up to ~15 km of jitter), with names,
descriptions, amenities, rooms, photos and prices in the local currency. Each one is
announced with StudioPublished through the outbox, as if its owner had published it, so
booking and availability learn of it (pass events=False for a search-only database).
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.domain.amenities import Amenity
from catalog.domain.slugs import slugify
from catalog.domain.studios import Photo, Room, Studio, missing_for_publication, validate
from catalog.service.studio_events import studio_event
from contracts import Envelope
from contracts.catalog import StudioStatus
from contracts.values import CancellationPolicy
from service_runtime.db import Database
from service_runtime.outbox import NOTIFY_CHANNEL


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    currency: str
    price_factor: float  # local minor units per euro cent, roughly


CITIES = (
    City("Berlin", "DE", 52.5200, 13.4050, "Europe/Berlin", "EUR", 1.0),
    City("Hamburg", "DE", 53.5511, 9.9937, "Europe/Berlin", "EUR", 1.0),
    City("Munich", "DE", 48.1351, 11.5820, "Europe/Berlin", "EUR", 1.0),
    City("London", "GB", 51.5074, -0.1278, "Europe/London", "GBP", 0.85),
    City("Manchester", "GB", 53.4808, -2.2426, "Europe/London", "GBP", 0.85),
    City("Paris", "FR", 48.8566, 2.3522, "Europe/Paris", "EUR", 1.0),
    City("Amsterdam", "NL", 52.3676, 4.9041, "Europe/Amsterdam", "EUR", 1.0),
    City("Barcelona", "ES", 41.3874, 2.1686, "Europe/Madrid", "EUR", 1.0),
    City("Madrid", "ES", 40.4168, -3.7038, "Europe/Madrid", "EUR", 1.0),
    City("Lisbon", "PT", 38.7223, -9.1393, "Europe/Lisbon", "EUR", 1.0),
    City("Vienna", "AT", 48.2082, 16.3738, "Europe/Vienna", "EUR", 1.0),
    City("Stockholm", "SE", 59.3293, 18.0686, "Europe/Stockholm", "SEK", 11.0),
    City("Copenhagen", "DK", 55.6761, 12.5683, "Europe/Copenhagen", "DKK", 7.5),
    City("New York", "US", 40.7128, -74.0060, "America/New_York", "USD", 1.1),
    City("Los Angeles", "US", 34.0522, -118.2437, "America/Los_Angeles", "USD", 1.1),
    City("Nashville", "US", 36.1627, -86.7816, "America/Chicago", "USD", 1.1),
    City("Toronto", "CA", 43.6532, -79.3832, "America/Toronto", "CAD", 1.5),
    City("Mexico City", "MX", 19.4326, -99.1332, "America/Mexico_City", "MXN", 19.0),
    City("Tokyo", "JP", 35.6762, 139.6503, "Asia/Tokyo", "JPY", 1.6),
    City("Sydney", "AU", -33.8688, 151.2093, "Australia/Sydney", "AUD", 1.6),
)


@dataclass(frozen=True)
class Kind:
    label: str
    blurb: str
    amenities: tuple[Amenity, ...]
    rooms: tuple[str, ...]
    euro_cents: tuple[int, int]


KINDS = (
    Kind(
        "Recording Studio",
        "A treated live room and control room for tracking bands, vocals and podcasts.",
        (
            Amenity.SOUNDPROOFING,
            Amenity.VOCAL_BOOTH,
            Amenity.MIXING_CONSOLE,
            Amenity.PIANO,
            Amenity.DRUM_KIT,
            Amenity.GUITAR_AMPS,
            Amenity.ENGINEER_AVAILABLE,
        ),
        ("Live Room", "Control Room", "Vocal Booth"),
        (3500, 15000),
    ),
    Kind(
        "Rehearsal Room",
        "A loud, well-ventilated rehearsal space with backline for bands and choirs.",
        (
            Amenity.SOUNDPROOFING,
            Amenity.DRUM_KIT,
            Amenity.GUITAR_AMPS,
            Amenity.PA_SYSTEM,
            Amenity.PIANO,
        ),
        ("Room A", "Room B", "Big Room"),
        (1200, 4000),
    ),
    Kind(
        "Photo Studio",
        "A daylight photo studio with a cyclorama, backdrops and flash kit for shoots.",
        (
            Amenity.CYCLORAMA,
            Amenity.BACKDROPS,
            Amenity.LIGHTING_KIT,
            Amenity.NATURAL_LIGHT,
            Amenity.MAKEUP_ROOM,
            Amenity.CHANGING_ROOM,
            Amenity.GREEN_SCREEN,
        ),
        ("Daylight Hall", "Cyc Stage", "Black Box"),
        (4000, 20000),
    ),
    Kind(
        "Podcast Studio",
        "A quiet podcast and voice-over studio with microphones and video cameras.",
        (Amenity.SOUNDPROOFING, Amenity.VOCAL_BOOTH, Amenity.MIXING_CONSOLE, Amenity.LOUNGE),
        ("Studio 1", "Studio 2"),
        (2500, 9000),
    ),
    Kind(
        "Dance Studio",
        "A sprung-floor dance studio with mirrors, a sound system and changing rooms.",
        (Amenity.PA_SYSTEM, Amenity.CHANGING_ROOM, Amenity.NATURAL_LIGHT, Amenity.AIR_CONDITIONING),
        ("Main Hall", "Small Hall"),
        (1500, 6000),
    ),
)
COMMON = (
    Amenity.WIFI,
    Amenity.PARKING,
    Amenity.KITCHEN,
    Amenity.LOUNGE,
    Amenity.WHEELCHAIR_ACCESS,
    Amenity.LOADING_DOCK,
    Amenity.AIR_CONDITIONING,
)
ADJECTIVES = (
    "Blue",
    "Golden",
    "Velvet",
    "Electric",
    "Quiet",
    "Northern",
    "Urban",
    "Analog",
    "Copper",
    "Silver",
    "Red",
    "Echo",
    "Lunar",
    "Wild",
    "Harbour",
    "Hidden",
)
NOUNS = (
    "Owl",
    "Fox",
    "Lantern",
    "Forge",
    "Garden",
    "Tower",
    "Wave",
    "Canvas",
    "Pulse",
    "Nest",
    "Atlas",
    "Harbor",
    "Prism",
    "Signal",
    "Orchard",
    "Vault",
)
STREETS = (
    "Main Street",
    "Market Street",
    "Canal Road",
    "Station Road",
    "Park Lane",
    "Mill Street",
    "Harbour Way",
    "Church Street",
    "Factory Lane",
    "River Road",
)


def _jittered(city: City, rng: random.Random) -> tuple[float, float]:
    """A point within about 15 km of the city centre."""
    latitude = city.latitude + rng.uniform(-0.135, 0.135)
    longitude = city.longitude + rng.uniform(-0.135, 0.135) / math.cos(math.radians(city.latitude))
    return round(latitude, 6), round(longitude, 6)


def random_studio(rng: random.Random, owner_id: uuid.UUID) -> Studio:
    """One complete, published studio in one of the cities."""
    city = rng.choice(CITIES)
    kind = rng.choice(KINDS)
    studio_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {kind.label}"
    latitude, longitude = _jittered(city, rng)
    price = round(rng.randint(*kind.euro_cents) * city.price_factor, -2)
    room_names = rng.sample(kind.rooms, rng.randint(1, len(kind.rooms)))
    rooms = tuple(
        Room(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            name=room_name,
            capacity=rng.randint(2, 30),
            hourly_price_minor=int(price * 1.5) if index == 0 and rng.random() < 0.3 else None,
        )
        for index, room_name in enumerate(room_names)
    )
    amenities = set(rng.sample(kind.amenities, rng.randint(2, len(kind.amenities))))
    amenities |= set(rng.sample(COMMON, rng.randint(1, 4)))
    photos = tuple(
        Photo(
            url=f"https://images.onetime.studio/seed/{studio_id}/{n}.jpg",
            caption=caption,
        )
        for n, caption in enumerate(["Entrance", *room_names][: rng.randint(2, 4)])
    )
    return Studio(
        id=studio_id,
        owner_id=owner_id,
        slug=f"{slugify(name)}-{slugify(city.name)}-{studio_id.hex[:10]}",
        name=name,
        description=f"{kind.blurb} In {city.name}, close to public transport.",
        address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
        city=city.name,
        country=city.country,
        latitude=latitude,
        longitude=longitude,
        timezone=city.timezone,
        currency=city.currency,
        hourly_price_minor=int(price),
        minimum_hours=rng.choice((1, 1, 2, 2, 3, 4)),
        capacity=max(room.capacity for room in rooms),
        amenities=tuple(sorted(amenities)),
        photos=photos,
        cancellation_policy=rng.choice(tuple(CancellationPolicy)),
        status=StudioStatus.PUBLISHED,
        rooms=rooms,
    )


def random_studios(
    count: int, owner_ids: Sequence[uuid.UUID], *, seed: int | None = None
) -> Iterator[Studio]:
    """`count` valid, complete studios; the same seed gives the same studios."""
    rng = random.Random(seed)
    owners = list(owner_ids) or [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(50)]
    for _ in range(count):
        studio = validate(random_studio(rng, rng.choice(owners)))
        assert not missing_for_publication(studio)
        yield studio


STUDIO_COLUMNS = (
    "id, owner_id, slug, name, description, address, city, country, latitude, longitude, "
    "timezone, currency, hourly_price_minor, minimum_hours, capacity, amenities, "
    "cancellation_policy, status, version"
)


def _studio_row(studio: Studio) -> tuple[Any, ...]:
    return (
        studio.id, studio.owner_id, studio.slug, studio.name, studio.description, studio.address,
        studio.city, studio.country, studio.latitude, studio.longitude, studio.timezone,
        studio.currency, studio.hourly_price_minor, studio.minimum_hours, studio.capacity,
        [amenity.value for amenity in studio.amenities], studio.cancellation_policy.value,
        studio.status.value, studio.version,
    )  # fmt: skip


async def _copy(session: AsyncSession, studios: list[Studio], *, events: bool) -> None:
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    now = datetime.now(UTC)
    async with raw.cursor() as cursor:
        async with cursor.copy(f"COPY studios ({STUDIO_COLUMNS}) FROM STDIN") as copy:
            for studio in studios:
                await copy.write_row(_studio_row(studio))
        columns = "id, studio_id, position, name, description, capacity, hourly_price_minor"
        async with cursor.copy(f"COPY rooms ({columns}) FROM STDIN") as copy:
            for studio in studios:
                for position, room in enumerate(studio.rooms):
                    await copy.write_row(
                        (room.id, studio.id, position, room.name, room.description,
                         room.capacity, room.hourly_price_minor)
                    )  # fmt: skip
        columns = "studio_id, position, url, caption"
        async with cursor.copy(f"COPY studio_photos ({columns}) FROM STDIN") as copy:
            for studio in studios:
                for position, photo in enumerate(studio.photos):
                    await copy.write_row((studio.id, position, photo.url, photo.caption))
        if not events:
            return
        columns = "message_id, message_type, routing_key, correlation_id, envelope"
        async with cursor.copy(f"COPY outbox ({columns}) FROM STDIN") as copy:
            for studio in studios:
                message = studio_event(None, studio, changed_at=now)
                assert message is not None
                envelope = Envelope.wrap(message, correlation_id=str(studio.id))
                await copy.write_row(
                    (envelope.message_id, envelope.message_type, message.routing_key,
                     envelope.correlation_id, json.dumps(envelope.model_dump(mode="json")))
                )  # fmt: skip
        await cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")


async def seed(
    database: Database,
    count: int,
    owner_ids: Sequence[uuid.UUID] = (),
    *,
    events: bool = True,
    batch_size: int = 10_000,
    random_seed: int | None = None,
) -> int:
    """Bulk-load `count` published studios (one transaction per batch); returns how many."""
    batch: list[Studio] = []
    loaded = 0
    for studio in random_studios(count, owner_ids, seed=random_seed):
        batch.append(studio)
        if len(batch) == batch_size:
            loaded += await _load(database, batch, events=events)
            batch = []
    if batch:
        loaded += await _load(database, batch, events=events)
    async with database.transaction() as session:
        await session.execute(text("ANALYZE studios"))
    return loaded


async def _load(database: Database, studios: list[Studio], *, events: bool) -> int:
    async with database.transaction() as session:
        await _copy(session, studios, events=events)
    return len(studios)
