"""free time search from an index: each studio's week row gets the keys of its pictures (the
week's and every dated one's, catalog.domain.free_time), with a GIN index; existing rows get
theirs from their bytes. The keys' `&&` is intarray's (sorted merge; the built-in compares
every pair, ~18 us a row against ~5), and so is the index's operator class

Revision ID: catalog_0010_free_time_keys
Revises: catalog_0009_rating_order
Create Date: 2026-12-05
"""

from alembic import op

revision = "catalog_0010_free_time_keys"
down_revision = "catalog_0009_rating_order"
branch_labels = None
depends_on = None

# As picture_keys: day << 12 | start << 6 | longest, one per start with a session; a week's
# days are its weekdays 0-6, a date's the days since 2000-01-01. (SQL's << and | bind alike,
# left to right: hence the parentheses.)
_KEYS = """
    SELECT (({first_day} + i / 48) << 12) | ((i % 48) << 6) | get_byte({picture}, i)
    FROM generate_series(0, length({picture}) - 1) AS i
    WHERE get_byte({picture}, i) > 0
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS intarray")
    op.execute("ALTER TABLE free_time_weeks ADD COLUMN time_keys integer[] NOT NULL DEFAULT '{}'")
    week = _KEYS.format(first_day="0", picture="w.weekly")
    dated = _KEYS.format(first_day="(d.day - DATE '2000-01-01')", picture="d.longest")
    op.execute(
        f"UPDATE free_time_weeks AS w SET time_keys = sort(ARRAY({week}) || ARRAY("
        f"SELECT key FROM free_time_dates AS d, LATERAL ({dated}) AS k(key) "
        "WHERE d.studio_id = w.studio_id))"
    )
    op.execute("CREATE INDEX free_time_weeks_time_keys ON free_time_weeks USING gin (time_keys gin__int_ops)")


def downgrade() -> None:
    op.drop_index("free_time_weeks_time_keys", table_name="free_time_weeks")
    op.drop_column("free_time_weeks", "time_keys")
