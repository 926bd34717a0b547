"""an index in search's rating order over published studios, so that a page of the best rated
is read from the index instead of sorting every studio

Revision ID: catalog_0009_rating_order
Revises: catalog_0008_free_time
Create Date: 2026-12-04
"""

from alembic import op

revision = "catalog_0009_rating_order"
down_revision = "catalog_0008_free_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX studios_published_rating ON studios "
        "((COALESCE(rating_average, 0)::double precision) DESC, id) "
        "WHERE status = 'published'"
    )


def downgrade() -> None:
    op.drop_index("studios_published_rating", table_name="studios")
