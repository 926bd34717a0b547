"""Random, valid, complete published studios drawn from the sample data."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator, Sequence

from catalog.domain.slugs import slugify
from catalog.domain.studios import Photo, Room, Studio, missing_for_publication, validate
from catalog.seeding.sample_data import ADJECTIVES, CITIES, COMMON, KINDS, NOUNS, STREETS, City
from contracts.catalog import StudioStatus
from contracts.values import CancellationPolicy


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
