from alembic import context

from payments.config import PaymentsSettings
from payments.db import metadata
from service_runtime.migrations import run_migrations

run_migrations(
    metadata,
    context.config.attributes.get("database_url") or PaymentsSettings().direct_database_url,
)
