from alembic import context

from identity.config import IdentitySettings
from identity.db import metadata
from service_runtime.migrations import run_migrations

run_migrations(
    metadata,
    context.config.attributes.get("database_url") or IdentitySettings().direct_database_url,
)
