"""owners' external calendars (ICS URLs per room) and the busy intervals fetched from them

Revision ID: availability_0006_external
Revises: availability_0005_calendar_feeds
Create Date: 2026-12-03

Busy intervals are replaced whole on each good fetch and removed with their calendar.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "availability_0006_external"  # Alembic stores at most 32 characters
down_revision = "availability_0005_calendar_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_calendars",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True)),
        sa.Column("failed_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.Column("busy_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_external_calendars_room_id", "external_calendars", ["room_id"])
    op.create_index("ix_external_calendars_due_at", "external_calendars", ["due_at"])
    op.create_table(
        "external_busy",
        sa.Column(
            "calendar_id",
            sa.Uuid(),
            sa.ForeignKey("external_calendars.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
    )
    op.create_index("ix_external_busy_calendar_id", "external_busy", ["calendar_id"])
    op.create_index("ix_external_busy_room_id", "external_busy", ["room_id"])


def downgrade() -> None:
    op.drop_table("external_busy")
    op.drop_table("external_calendars")
