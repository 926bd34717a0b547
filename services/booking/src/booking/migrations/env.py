from alembic import context

from booking.config import BookingSettings
from booking.db.tables import metadata
from service_runtime.migrations import run_migrations

run_migrations(
    metadata, context.config.attributes.get("database_url") or BookingSettings().direct_database_url
)
