"""The rules of refresh token families, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.refresh_tokens import (
    Family,
    StoredToken,
    Verdict,
    digest_of,
    expiry_of_next,
    judge,
    new_refresh_token,
)

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)


def family(**changes: object) -> Family:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "expires_at": NOW + timedelta(days=90),
    }
    return Family(**{**values, **changes})  # type: ignore[arg-type]


def token(of: Family, **changes: object) -> StoredToken:
    values: dict[str, object] = {
        "digest": digest_of("t"),
        "family_id": of.id,
        "expires_at": NOW + timedelta(days=30),
    }
    return StoredToken(**{**values, **changes})  # type: ignore[arg-type]


def test_an_unused_token_of_a_live_family_is_valid() -> None:
    live = family()
    assert judge(live, token(live), NOW) is Verdict.VALID


def test_a_token_nobody_stored_is_unknown() -> None:
    assert judge(None, None, NOW) is Verdict.UNKNOWN


def test_a_used_token_shown_again_is_reuse_even_once_expired() -> None:
    live = family()
    used = token(live, used_at=NOW - timedelta(days=40), expires_at=NOW - timedelta(days=10))
    assert judge(live, used, NOW) is Verdict.REUSED


def test_every_token_of_a_revoked_family_is_refused() -> None:
    revoked = family(revoked_at=NOW - timedelta(seconds=1))
    assert judge(revoked, token(revoked), NOW) is Verdict.REVOKED


@pytest.mark.parametrize(
    ("token_left", "family_left"),
    [(timedelta(0), timedelta(days=1)), (timedelta(days=1), timedelta(0))],
)
def test_a_token_expires_with_itself_or_with_its_family(
    token_left: timedelta, family_left: timedelta
) -> None:
    ending = family(expires_at=NOW + family_left)
    assert judge(ending, token(ending, expires_at=NOW + token_left), NOW) is Verdict.EXPIRED
    earlier = NOW - timedelta(microseconds=1)
    assert judge(ending, token(ending, expires_at=NOW + token_left), earlier) is Verdict.VALID


def test_the_next_token_never_outlives_its_family() -> None:
    ttl = timedelta(days=30)
    assert expiry_of_next(NOW, ttl, family()) == NOW + ttl
    ending = family(expires_at=NOW + timedelta(days=2))
    assert expiry_of_next(NOW, ttl, ending) == NOW + timedelta(days=2)


def test_tokens_are_random_and_stored_only_as_their_digest() -> None:
    first, second = new_refresh_token(), new_refresh_token()

    assert first != second
    assert len(first) >= 43  # 256 bits in url-safe base64
    assert digest_of(first) == digest_of(first)
    assert first not in digest_of(first)
    assert len(digest_of(first)) == 64
    assert len(digest_of("\ud800")) == 64  # a lone surrogate from JSON still hashes
