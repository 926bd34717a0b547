"""What seeded studios are drawn from: cities, kinds of studio, names and streets."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.domain.amenities import Amenity


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
