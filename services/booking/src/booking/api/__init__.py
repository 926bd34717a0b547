"""Booking's HTTP routes."""
