"""Slugs: readable, stable ids made from a studio's name once, when it is created."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

MAX_SLUG_LENGTH = 80
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(rf"[a-z0-9](?:[a-z0-9-]{{0,{MAX_SLUG_LENGTH + 10}}}[a-z0-9])?")


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Café Sound Berlin" -> "cafe-sound-berlin")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or "studio"


def could_be_slug(key: str) -> bool:
    """Whether `key` has the shape of a slug `unique_slug` makes (with a numbered suffix)."""
    return _SLUG.fullmatch(key) is not None


def unique_slug(name: str, taken: Collection[str]) -> str:
    """The name's slug, or the first of slug-2, slug-3, ... not taken yet."""
    base = slugify(name)
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
