"""Slugs are readable, ASCII, and unique by suffix."""

from __future__ import annotations

from catalog.domain.slugs import MAX_SLUG_LENGTH, could_be_slug, slugify, unique_slug


def test_slug_is_lower_case_ascii_words_joined_by_hyphens() -> None:
    assert slugify("  Café Sound — Berlin Mitte!  ") == "cafe-sound-berlin-mitte"


def test_a_name_without_letters_still_gets_a_slug() -> None:
    assert slugify("★★★") == "studio"


def test_long_names_are_cut_without_a_trailing_hyphen() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert not slug.endswith("-")


def test_colliding_slugs_get_the_first_free_suffix() -> None:
    assert unique_slug("Echo Room", set()) == "echo-room"
    assert unique_slug("Echo Room", {"echo-room"}) == "echo-room-2"
    assert unique_slug("Echo Room", {"echo-room", "echo-room-2", "echo-room-4"}) == "echo-room-3"


def test_only_keys_shaped_like_slugs_could_name_a_studio() -> None:
    assert could_be_slug(unique_slug("Café Sound", {"cafe-sound"}))
    assert could_be_slug(slugify("x" * 200))
    for key in ("a\x00b", "Cafe", "²", "-edge-", "", "x" * 200):
        assert not could_be_slug(key), key
