"""owners' calendar feeds, and the names they show: studios' and rooms', bookers' first names

Revision ID: availability_0005_calendar_feeds
Revises: availability_0002_user_access
Create Date: 2026-12-03

Feeds store only the SHA-256 of their secret. Studio names fill in from catalog's next event for
each studio, first names from identity's next event for each user; until then a feed shows
"Studio", "Room" and "Guest".
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from service_runtime.user_names import create_user_names_table

revision = "availability_0005_calendar_feeds"
down_revision = "availability_0002_user_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid()),
        sa.Column("secret_sha256", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_calendar_feeds_studio_id", "calendar_feeds", ["studio_id"])
    op.create_table(
        "studio_names",
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("room_names", postgresql.JSONB(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
    )
    op.create_table(
        "booking_bookers",
        sa.Column("booking_id", sa.Uuid(), primary_key=True),
        sa.Column("booker_id", sa.Uuid(), nullable=False),
    )
    create_user_names_table(op.get_bind(), "booker_first_names")


def downgrade() -> None:
    op.drop_table("booker_first_names")
    op.drop_table("booking_bookers")
    op.drop_table("studio_names")
    op.drop_table("calendar_feeds")
