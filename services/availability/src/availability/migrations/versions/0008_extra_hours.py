"""extra opening hours on given dates, beyond the weekly rules (a holiday evening)

Revision ID: availability_0008_extra_hours
Revises: availability_0007_buffer_before
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "availability_0008_extra_hours"
down_revision = "availability_0007_buffer_before"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extra_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False, comment="local date of the studio"),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column(
            "closes",
            sa.Time(),
            nullable=False,
            comment="00:00 is midnight at the end of the day",
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extra_hours_studio_id", "extra_hours", ["studio_id"])


def downgrade() -> None:
    op.drop_index("ix_extra_hours_studio_id", table_name="extra_hours")
    op.drop_table("extra_hours")
