"""how many people a booking is for (bookings made before count as one)

Revision ID: booking_0004_attendees
Revises: booking_0002_user_access
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "booking_0004_attendees"
down_revision = "booking_0002_user_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bookings",
        sa.Column(
            "attendees",
            sa.Integer(),
            sa.CheckConstraint("attendees >= 1", name="bookings_attendees_check"),
            server_default="1",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("bookings", "attendees")
