"""a buffer before each reservation (setting up) as well as after it (packing down)

Revision ID: availability_0007_buffer_before
Revises: availability_0006_external
Create Date: 2026-12-03

Reservations already store what they block (`blocks`), so the exclusion constraint needs no
change: a reservation made under the new policy simply blocks from earlier. The check that
`blocks` starts with `during` becomes a check that it covers it.
"""
from alembic import op
import sqlalchemy as sa

revision = "availability_0007_buffer_before"
down_revision = "availability_0006_external"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "booking_policies",
        sa.Column("buffer_before_minutes", sa.Integer(), server_default="0", nullable=False),
    )
    op.drop_constraint("reservations_blocks_cover_during", "reservations", type_="check")
    op.create_check_constraint("reservations_blocks_cover_during", "reservations", "blocks @> during")


def downgrade() -> None:
    # Reservations blocking time before them keep only what they block after.
    op.execute("UPDATE reservations SET blocks = tstzrange(lower(during), upper(blocks))")
    op.drop_constraint("reservations_blocks_cover_during", "reservations", type_="check")
    op.create_check_constraint(
        "reservations_blocks_cover_during",
        "reservations",
        "blocks @> during AND lower(blocks) = lower(during)",
    )
    op.drop_column("booking_policies", "buffer_before_minutes")
