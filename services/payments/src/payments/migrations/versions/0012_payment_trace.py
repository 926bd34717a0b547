"""A payment keeps the trace it was asked for in: Stripe's events about the booking are traced
into its first payment's trace (they were into its first Stripe call's, and the booking's first
PaymentIntent is now created without a queued call)

Revision ID: payments_0012_payment_trace
Revises: payments_0011_outbox_handoff
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "payments_0012_payment_trace"
down_revision = "payments_0011_outbox_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column(
            "traceparent",
            sa.Text,
            comment="the trace it was asked for in; Stripe's events about the booking join the first's",
        ),
    )
    # Where events were traced until now: the booking's first Stripe call.
    op.execute(
        "UPDATE payments SET traceparent = (SELECT c.traceparent FROM stripe_calls c"
        " WHERE c.booking_id = payments.booking_id ORDER BY c.id LIMIT 1)"
    )


def downgrade() -> None:
    op.drop_column("payments", "traceparent")
