"""The users whose tokens must be re-checked: demoted or deleted (service_runtime.trust)

Revision ID: payments_0003_user_access
Revises: payments_0003_command_order
Create Date: 2026-12-01
"""
from alembic import op

from service_runtime.trust import create_user_access_table

revision = "payments_0003_user_access"
down_revision = "payments_0003_command_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_user_access_table(op.get_bind())


def downgrade() -> None:
    op.drop_table("user_access_changes")
