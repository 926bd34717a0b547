"""the command a booking waits on (sends, last sent) and why a booking failed

Revision ID: booking_0002_saga_guard
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "booking_0002_saga_guard"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bookings", sa.Column("command_sends", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("bookings", sa.Column("command_sent_at", sa.DateTime(timezone=True)))
    op.add_column("bookings", sa.Column("failure_detail", sa.Text()))
    # Bookings already waiting start their resend clock now, with one send counted.
    op.execute(
        "UPDATE bookings SET command_sends = 1, command_sent_at = now(), deadline_at = now()"
        " WHERE status IN ('requested', 'confirming')"
    )


def downgrade() -> None:
    op.drop_column("bookings", "failure_detail")
    op.drop_column("bookings", "command_sent_at")
    op.drop_column("bookings", "command_sends")
