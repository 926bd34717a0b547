"""bookings whose reservations their saga released: they never hold again

Revision ID: availability_0003_released
Revises: availability_0002_person_holds
Create Date: 2026-12-01

Commands about one booking may arrive in any order (a backlog handled concurrently after a
restart, a retried HoldSlots): a ReleaseSlots that came first must still win.
"""
from alembic import op
import sqlalchemy as sa

revision = "availability_0003_released"
down_revision = "availability_0002_person_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "released_bookings",
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("booking_id"),
    )


def downgrade() -> None:
    op.drop_table("released_bookings")
