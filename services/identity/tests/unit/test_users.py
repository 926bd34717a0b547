import uuid

from contracts.identity import Role
from identity.domain.users import User


def test_a_printed_user_shows_no_password_hash() -> None:
    user = User(uuid.uuid4(), "a@example.com", "A", Role.ADMIN, password_hash="$argon2id$secret")

    assert "argon2id" not in repr(user)
    assert "a@example.com" in repr(user)
