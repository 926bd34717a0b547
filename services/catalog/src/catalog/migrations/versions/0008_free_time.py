"""when studios' rooms are free, as availability publishes it (FreeTimeChanged), for search

Revision ID: catalog_0008_free_time
Revises: catalog_0007_booking_mode
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0008_free_time"
down_revision = "catalog_0007_booking_mode"
branch_labels = None
depends_on = None


def _spans(table: str, when: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        table,
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        when,
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "free_time_studios",
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_advance_days", sa.Integer(), nullable=False),
    )
    _spans("free_time_weekly", sa.Column("weekday", sa.SmallInteger(), nullable=False, comment="0 = Monday"))
    op.create_index("free_time_weekly_studio", "free_time_weekly", ["studio_id", "weekday"])
    op.create_table(
        "free_time_dates",
        sa.Column("studio_id", sa.Uuid(), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
    )
    _spans("free_time_dated", sa.Column("day", sa.Date(), nullable=False))
    op.create_index("free_time_dated_studio", "free_time_dated", ["studio_id", "day"])


def downgrade() -> None:
    for table in ("free_time_dated", "free_time_dates", "free_time_weekly", "free_time_studios"):
        op.drop_table(table)
