"""Signing keys encrypted at rest under IDENTITY_KEY_ENCRYPTION_KEYS; the plaintext ones retired

Revision ID: identity_0003_encrypted_keys
Revises: identity_0002_user_access
Create Date: 2026-12-01

Keys that were stored in plaintext may sit in old dumps and backups: they are retired (they
stay in the JWKS until the tokens they signed expire) and a new key signs from now on.
Backward compatible with the identity still running during the rollout: private_key_pem stays
(nullable, emptied here); a key such an identity makes meanwhile is plaintext there until the
new one seals it on first use (or `python -m identity reencrypt-keys`). A later release drops
the column.
"""
import sqlalchemy as sa
from alembic import op

from identity.config import IdentitySettings

revision = "identity_0003_encrypted_keys"
down_revision = "identity_0002_user_access"
branch_labels = None
depends_on = None

KEPT = "private_key_encrypted IS NOT NULL OR private_key_pem IS NOT NULL"


def upgrade() -> None:
    cipher = IdentitySettings().key_cipher()
    op.add_column("signing_keys", sa.Column("private_key_encrypted", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT kid, private_key_pem FROM signing_keys")).all()
    for kid, pem in rows:
        bind.execute(
            sa.text("UPDATE signing_keys SET private_key_encrypted = :encrypted WHERE kid = :kid"),
            {"encrypted": cipher.encrypt(pem.encode()).decode(), "kid": kid},
        )
    op.alter_column("signing_keys", "private_key_pem", nullable=True)
    op.execute("UPDATE signing_keys SET private_key_pem = NULL")
    op.execute("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL")
    op.create_check_constraint("signing_keys_private_key_kept", "signing_keys", KEPT)


def downgrade() -> None:
    cipher = IdentitySettings().key_cipher()
    op.drop_constraint("signing_keys_private_key_kept", "signing_keys")
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT kid, private_key_encrypted FROM signing_keys WHERE private_key_pem IS NULL")
    ).all()
    for kid, encrypted in rows:
        bind.execute(
            sa.text("UPDATE signing_keys SET private_key_pem = :pem WHERE kid = :kid"),
            {"pem": cipher.decrypt(encrypted.encode()).decode(), "kid": kid},
        )
    op.alter_column("signing_keys", "private_key_pem", nullable=False)
    op.drop_column("signing_keys", "private_key_encrypted")
