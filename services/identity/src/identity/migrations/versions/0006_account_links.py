"""Email verification and password reset links; when a user's email was verified

Revision ID: identity_0006_account_links
Revises: identity_0005_refresh_tokens
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "identity_0006_account_links"
down_revision = "identity_0005_refresh_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.create_table(
        "account_links",
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("account_links_user", "account_links", ["user_id", "purpose"])
    op.create_index("account_links_expiry", "account_links", ["expires_at"])


def downgrade() -> None:
    op.drop_table("account_links")
    op.drop_column("users", "email_verified_at")
