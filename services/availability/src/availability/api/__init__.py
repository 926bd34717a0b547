"""Availability's HTTP routes."""
