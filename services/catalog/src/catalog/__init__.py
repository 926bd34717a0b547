"""Catalog: studios, rooms, photos, pricing, search and reviews."""
