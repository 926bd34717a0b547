"""Booking's pure domain: the booking lifecycle, the saga's decisions, pricing, refunds."""
