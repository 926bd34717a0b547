"""a move to a dearer time: the payment of its difference while the move runs (how long the
new range is held for it, the payment, its client secret, authorization and last error), and
the payments of the differences of moves made

Revision ID: booking_0008_move_payments
Revises: booking_0007_moves
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "booking_0008_move_payments"
down_revision = "booking_0007_moves"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("move_hold_expires_at", sa.DateTime(timezone=True)),
    ("move_payment_id", sa.Uuid()),
    ("move_client_secret", sa.Text()),
    ("move_authorized_at", sa.DateTime(timezone=True)),
    ("move_payment_captured", sa.Boolean()),
    ("move_payment_error", sa.Text()),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("bookings", sa.Column(name, kind))
    op.add_column(
        "bookings",
        sa.Column(
            "move_payment_ids",
            postgresql.ARRAY(sa.Uuid()),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )


def downgrade() -> None:
    op.drop_column("bookings", "move_payment_ids")
    for name, _ in reversed(_COLUMNS):
        op.drop_column("bookings", name)
