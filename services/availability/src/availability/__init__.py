"""Availability: weekly hours, blackouts and reservations of studio rooms."""
