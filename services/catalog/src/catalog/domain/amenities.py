"""The fixed vocabulary of amenities a studio can offer, defined once."""

from __future__ import annotations

from enum import StrEnum


class Amenity(StrEnum):
    WIFI = "wifi"
    PARKING = "parking"
    AIR_CONDITIONING = "air_conditioning"
    SOUNDPROOFING = "soundproofing"
    VOCAL_BOOTH = "vocal_booth"
    MIXING_CONSOLE = "mixing_console"
    PIANO = "piano"
    DRUM_KIT = "drum_kit"
    GUITAR_AMPS = "guitar_amps"
    PA_SYSTEM = "pa_system"
    LIGHTING_KIT = "lighting_kit"
    CYCLORAMA = "cyclorama"
    GREEN_SCREEN = "green_screen"
    BACKDROPS = "backdrops"
    MAKEUP_ROOM = "makeup_room"
    CHANGING_ROOM = "changing_room"
    KITCHEN = "kitchen"
    LOUNGE = "lounge"
    WHEELCHAIR_ACCESS = "wheelchair_access"
    LOADING_DOCK = "loading_dock"
    NATURAL_LIGHT = "natural_light"
    ENGINEER_AVAILABLE = "engineer_available"
