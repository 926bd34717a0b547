from alembic import context

from availability.config import AvailabilitySettings
from availability.db import metadata
from service_runtime.migrations import run_migrations

run_migrations(
    metadata,
    context.config.attributes.get("database_url") or AvailabilitySettings().direct_database_url,
)
