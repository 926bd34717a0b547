"""the add-ons studios sell, and the ones each booking bought (bookings made before bought none)

Revision ID: booking_0005_add_ons
Revises: booking_0004_attendees
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "booking_0005_add_ons"
down_revision = "booking_0004_attendees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("studios", sa.Column("add_ons", JSONB(), server_default="[]", nullable=False))
    op.add_column("bookings", sa.Column("add_ons", JSONB(), server_default="[]", nullable=False))
    op.add_column(
        "bookings",
        sa.Column("add_ons_minor", sa.BigInteger(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("bookings", "add_ons_minor")
    op.drop_column("bookings", "add_ons")
    op.drop_column("studios", "add_ons")
