"""booked_sessions: booking's confirmed bookings, so catalog refuses changes that break them

Revision ID: catalog_0002_booked_sessions
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0002_booked_sessions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booked_sessions",
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("booking_id"),
    )
    op.create_index(
        "booked_sessions_live",
        "booked_sessions",
        ["studio_id", "ends_at"],
        unique=False,
        postgresql_where=sa.text("live"),
    )


def downgrade() -> None:
    op.drop_index("booked_sessions_live", table_name="booked_sessions")
    op.drop_table("booked_sessions")
