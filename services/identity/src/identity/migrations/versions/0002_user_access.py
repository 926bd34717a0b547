"""The users whose tokens must be re-checked: demoted or deleted (service_runtime.trust)

Revision ID: identity_0002_user_access
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op

from service_runtime.trust import create_user_access_table

revision = "identity_0002_user_access"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_user_access_table(op.get_bind())


def downgrade() -> None:
    op.drop_table("user_access_changes")
