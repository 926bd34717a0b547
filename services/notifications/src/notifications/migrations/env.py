from alembic import context

from notifications.config import NotificationsSettings
from notifications.db.tables import metadata
from service_runtime.migrations import run_migrations

run_migrations(
    metadata,
    context.config.attributes.get("database_url") or NotificationsSettings().direct_database_url,
)
