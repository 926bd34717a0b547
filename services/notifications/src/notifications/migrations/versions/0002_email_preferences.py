"""email preferences per person

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 07:20:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('email_preferences',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('messages', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('person_id')
    )


def downgrade() -> None:
    op.drop_table('email_preferences')
