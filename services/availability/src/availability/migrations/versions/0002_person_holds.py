"""a hold is a person's or a booking's, never both; a person's holds counted by time

Revision ID: availability_0002_person_holds
Revises: 0001
Create Date: 2026-12-01

Holds placed over HTTP used to name any booking, and that booking's saga took them as its
own. From now on only the saga's HoldSlots makes a booking's hold. Rows that carry both are
kept as the booking's (a saga may have confirmed them), so they stop counting as the person's.
"""
from alembic import op
import sqlalchemy as sa

revision = "availability_0002_person_holds"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE reservations SET held_by = NULL WHERE held_by IS NOT NULL AND booking_id IS NOT NULL"
    )
    op.create_check_constraint(
        "reservations_person_or_booking", "reservations", "held_by IS NULL OR booking_id IS NULL"
    )
    op.create_index(
        "reservations_person",
        "reservations",
        ["held_by", "created_at"],
        unique=False,
        postgresql_where=sa.text("held_by IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "reservations_person",
        table_name="reservations",
        postgresql_where=sa.text("held_by IS NOT NULL"),
    )
    op.drop_constraint("reservations_person_or_booking", "reservations", type_="check")
