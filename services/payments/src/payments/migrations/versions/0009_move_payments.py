"""A booking's payments: one more per dearer move, and refunds in parts across them

Revision ID: payments_0009_move_payments
Revises: payments_0008_refund_note
Create Date: 2027-01-10
"""
import sqlalchemy as sa
from alembic import op

revision = "payments_0009_move_payments"
down_revision = "payments_0008_refund_note"
branch_labels = None
depends_on = None

_NO_MOVE = "'00000000-0000-0000-0000-000000000000'::uuid"


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column(
            "move_id", sa.Uuid, comment="the move whose difference it is; NULL: the booking's first"
        ),
    )
    op.drop_constraint("payments_booking_id_key", "payments", type_="unique")
    # NULLS NOT DISTINCT: the booking's first payment (no move) stays one per booking too.
    op.create_unique_constraint(
        "payments_booking_move",
        "payments",
        ["booking_id", "move_id"],
        postgresql_nulls_not_distinct=True,
    )
    op.add_column(
        "voided_bookings",
        sa.Column(
            "move_id",
            sa.Uuid,
            nullable=False,
            server_default=sa.text(_NO_MOVE),
            comment="the move whose payment was voided; the nil UUID: the booking's first",
        ),
    )
    op.drop_constraint("voided_bookings_pkey", "voided_bookings", type_="primary")
    op.create_primary_key("voided_bookings_pkey", "voided_bookings", ["booking_id", "move_id"])
    op.create_table(
        "refund_parts",
        sa.Column("refund_id", sa.Uuid, sa.ForeignKey("refunds.refund_id"), primary_key=True),
        sa.Column("payment_id", sa.Uuid, sa.ForeignKey("payments.id"), primary_key=True),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False, comment="pending, succeeded, rejected"),
        sa.Column("refund_ref", sa.Text, unique=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_refund_parts_payment_id", "refund_parts", ["payment_id"])
    # Every refund so far came from the booking's one payment: it is that refund's one part.
    op.execute(
        """
        INSERT INTO refund_parts (refund_id, payment_id, amount_minor, status, refund_ref,
                                  refunded_at, created_at, updated_at)
        SELECT r.refund_id, p.id, r.amount_minor, r.status, r.refund_ref, r.refunded_at,
               r.created_at, r.updated_at
        FROM refunds r JOIN payments p ON p.booking_id = r.booking_id
        WHERE r.status IN ('pending', 'succeeded') AND r.amount_minor > 0
        """
    )


def downgrade() -> None:
    op.drop_index("ix_refund_parts_payment_id", table_name="refund_parts")
    op.drop_table("refund_parts")
    op.execute("DELETE FROM voided_bookings WHERE move_id <> " + _NO_MOVE)
    op.drop_constraint("voided_bookings_pkey", "voided_bookings", type_="primary")
    op.create_primary_key("voided_bookings_pkey", "voided_bookings", ["booking_id"])
    op.drop_column("voided_bookings", "move_id")
    op.execute("DELETE FROM payments WHERE move_id IS NOT NULL")
    op.drop_constraint("payments_booking_move", "payments", type_="unique")
    op.create_unique_constraint("payments_booking_id_key", "payments", ["booking_id"])
    op.drop_column("payments", "move_id")
