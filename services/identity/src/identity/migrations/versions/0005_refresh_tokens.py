"""Refresh tokens in families (rotated on use, revoked on reuse or sign-out); the admins' user list

Revision ID: identity_0005_refresh_tokens
Revises: identity_0004_clerk_event_order
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "identity_0005_refresh_tokens"
down_revision = "identity_0004_clerk_event_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refresh_token_families",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idle_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("refresh_token_families_user", "refresh_token_families", ["user_id"])
    op.create_index("refresh_token_families_expiry", "refresh_token_families", ["expires_at"])
    op.create_index(
        "refresh_token_families_idle_expiry", "refresh_token_families", ["idle_expires_at"]
    )
    op.create_index(
        "refresh_token_families_revoked",
        "refresh_token_families",
        ["revoked_at"],
        postgresql_where=sa.text("revoked_at IS NOT NULL"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["refresh_token_families.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("refresh_tokens_family", "refresh_tokens", ["family_id"])
    op.create_index("refresh_tokens_expiry", "refresh_tokens", ["expires_at"])
    op.create_index("users_newest_first", "users", [sa.text("created_at DESC"), "id"])


def downgrade() -> None:
    op.drop_index("users_newest_first", table_name="users")
    op.drop_table("refresh_tokens")
    op.drop_table("refresh_token_families")
