"""People's email preferences; a person without a row wants every email."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.tables import email_preferences
from notifications.domain.notices import Preferences


async def preferences(session: AsyncSession, person_id: uuid.UUID) -> Preferences:
    row = (
        await session.execute(
            select(email_preferences).where(email_preferences.c.person_id == person_id)
        )
    ).first()
    return Preferences(row.reminders, row.messages) if row else Preferences()


async def save_preferences(
    session: AsyncSession, person_id: uuid.UUID, chosen: Preferences
) -> None:
    values = {"reminders": chosen.reminders, "messages": chosen.messages}
    await session.execute(
        pg_insert(email_preferences)
        .values(person_id=person_id, **values)
        .on_conflict_do_update(
            index_elements=[email_preferences.c.person_id],
            set_={**values, "updated_at": func.now()},
        )
    )
