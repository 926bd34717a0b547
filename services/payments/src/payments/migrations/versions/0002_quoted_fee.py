"""The platform fee is booking's quote (pro rata on partial captures), not a payments setting

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column("quoted_fee_minor", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.execute("UPDATE payments SET quoted_fee_minor = round(amount_minor * fee_percent / 100)")
    op.alter_column("payments", "quoted_fee_minor", server_default=None)
    op.drop_column("payments", "fee_percent")


def downgrade() -> None:
    op.add_column(
        "payments",
        sa.Column("fee_percent", sa.Numeric(precision=5, scale=2), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE payments SET fee_percent = quoted_fee_minor * 100.0 / nullif(amount_minor, 0)"
    )
    op.drop_column("payments", "quoted_fee_minor")
