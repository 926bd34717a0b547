"""a booking may be moved: a move hold (reservations.move_id) beside its booked reservation,
which the overlap constraint lets the two of them overlap

Revision ID: availability_0010_moves
Revises: availability_0009_free_time
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "availability_0010_moves"
down_revision = "availability_0009_free_time"
branch_labels = None
depends_on = None

LIVE = "WHERE (status IN ('held', 'booked'))"


def upgrade() -> None:
    op.add_column("reservations", sa.Column("move_id", sa.Uuid(), nullable=True))
    # Replaced in one transaction: no moment without the constraint.
    op.execute("ALTER TABLE reservations DROP CONSTRAINT reservations_no_overlap")
    op.execute(
        "ALTER TABLE reservations ADD CONSTRAINT reservations_no_overlap EXCLUDE USING gist "
        f"(room_id WITH =, blocks WITH &&, (coalesce(booking_id, id)) WITH <>) {LIVE}"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE reservations DROP CONSTRAINT reservations_no_overlap")
    op.execute(
        "ALTER TABLE reservations ADD CONSTRAINT reservations_no_overlap EXCLUDE USING gist "
        f"(room_id WITH =, blocks WITH &&) {LIVE}"
    )
    op.drop_column("reservations", "move_id")
