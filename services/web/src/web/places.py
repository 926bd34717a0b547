"""Places a booker can search around, by name: a small gazetteer, since the web front end
calls no geocoding service. Catalog's radius search takes the coordinates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    key: str
    label: str
    latitude: float
    longitude: float


PLACES = {
    place.key: place
    for place in (
        Place("berlin", "Berlin, Germany", 52.5200, 13.4050),
        Place("hamburg", "Hamburg, Germany", 53.5511, 9.9937),
        Place("munich", "Munich, Germany", 48.1351, 11.5820),
        Place("lisbon", "Lisbon, Portugal", 38.7223, -9.1393),
        Place("porto", "Porto, Portugal", 41.1579, -8.6291),
        Place("london", "London, United Kingdom", 51.5072, -0.1276),
        Place("paris", "Paris, France", 48.8566, 2.3522),
        Place("new-york", "New York, United States", 40.7128, -74.0060),
        Place("los-angeles", "Los Angeles, United States", 34.0522, -118.2437),
    )
}
