"""An index for an owner's payments by capture time (the owner's monthly earnings)

Revision ID: payments_0005_owner_earnings
Revises: payments_0003_user_access
Create Date: 2026-12-02
"""
from alembic import op

revision = "payments_0005_owner_earnings"
down_revision = "payments_0003_user_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("payments_owner_captured", "payments", ["owner_id", "captured_at"])


def downgrade() -> None:
    op.drop_index("payments_owner_captured", table_name="payments")
