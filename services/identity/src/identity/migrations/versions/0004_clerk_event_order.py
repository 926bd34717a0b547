"""users.clerk_event_at: Clerk events applied in the order they happened, whatever their arrival

Revision ID: identity_0004_clerk_event_order
Revises: identity_0003_encrypted_keys
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "identity_0004_clerk_event_order"
down_revision = "identity_0003_encrypted_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("clerk_event_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "clerk_event_at")
