"""Catalog's HTTP routes."""
