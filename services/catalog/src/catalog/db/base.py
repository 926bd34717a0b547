"""Catalog's metadata and the runtime's tables it shares with every service."""

from __future__ import annotations

from sqlalchemy import MetaData

from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

metadata = MetaData()

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)
