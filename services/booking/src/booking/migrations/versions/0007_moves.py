"""rescheduling: a confirmed booking's move to another room or time while it runs (or while a
move its owner proposed waits for the booker) with its price, why the last one did not happen,
what was paid once a move lowered the price, and when the card's authorization lapses

Revision ID: booking_0007_moves
Revises: booking_0006_requests
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "booking_0007_moves"
down_revision = "booking_0006_requests"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("move_id", sa.Uuid()),
    ("move_room_id", sa.Uuid()),
    ("move_starts_at", sa.DateTime(timezone=True)),
    ("move_ends_at", sa.DateTime(timezone=True)),
    ("move_requested_by", sa.Uuid()),
    ("move_requested_at", sa.DateTime(timezone=True)),
    ("move_reservation_id", sa.Uuid()),
    ("move_answer_by", sa.DateTime(timezone=True)),
    ("move_price", postgresql.JSONB()),
    ("payment_minor", sa.BigInteger()),
    ("authorization_expires_at", sa.DateTime(timezone=True)),
    ("move_failure", sa.Text()),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("bookings", sa.Column(name, kind))


def downgrade() -> None:
    for name, _ in reversed(_COLUMNS):
        op.drop_column("bookings", name)
