"""Demo and benchmark data: many realistic published studios, bulk-loaded with COPY.

Studios are spread over real cities (their centre plus up to ~15 km of jitter), with names,
descriptions, amenities, rooms, photos and prices in the local currency. Each one is
announced with StudioPublished through the unit of work's outbox, as if its owner had
published it, so booking and availability learn of it (pass events=False for a search-only
database).

`sample_data` holds what studios are drawn from, `random_studios` draws them and `loading`
loads them.
"""
