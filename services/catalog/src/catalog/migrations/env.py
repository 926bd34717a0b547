from alembic import context

from catalog.config import CatalogSettings
from catalog.db import metadata
from service_runtime.migrations import run_migrations

run_migrations(
    metadata, context.config.attributes.get("database_url") or CatalogSettings().direct_database_url
)
