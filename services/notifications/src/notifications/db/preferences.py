"""People's email preferences; a person without a row wants every email."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.db.tables import email_preferences
from notifications.domain.notices import Preferences

# Built once: an email its recipient may have turned off (a reminder, a message) reads them.
_OF = select(email_preferences).where(email_preferences.c.person_id == bindparam("person_id"))


class SqlPreferences:
    """People's email preferences."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def of(self, person_id: uuid.UUID) -> Preferences:
        row = (await self._session.execute(_OF, {"person_id": person_id})).first()
        return Preferences(row.reminders, row.messages) if row else Preferences()

    async def save(self, person_id: uuid.UUID, chosen: Preferences) -> None:
        values = {"reminders": chosen.reminders, "messages": chosen.messages}
        await self._session.execute(
            pg_insert(email_preferences)
            .values(person_id=person_id, **values)
            .on_conflict_do_update(
                index_elements=[email_preferences.c.person_id],
                set_={**values, "updated_at": func.now()},
            )
        )
