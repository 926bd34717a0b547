"""A person deletes their own account: in one unit of work identity erases what it holds of
them and publishes UserDeleted, on which every other service erases or pseudonymizes theirs."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import IdentitySettings
from identity.db.account_links import account_links
from identity.db.refresh_tokens import refresh_token_families
from identity.db.users import user_by_id, users
from identity.domain.users import NoLocalPassword, UserNotFound, WrongPassword, erased
from identity.service import apply_access_change
from service_runtime.unit_of_work import UnitsOfWork


async def delete_own_account(
    units: UnitsOfWork, settings: IdentitySettings, user_id: uuid.UUID, password: str
) -> None:
    async with units.begin() as uow:
        user = await user_by_id(uow.session, user_id)
    if user is None or user.deleted:
        raise UserNotFound(user_id)
    if user.password_hash is None:
        raise NoLocalPassword()
    # Checked holding no connection, as at sign-in.
    if not await settings.password_hashing().verify(user.password_hash, password):
        raise WrongPassword()
    async with units.begin() as uow:
        # Locked to commit: two deletions at once publish one event, not two.
        await uow.session.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())
        current = await user_by_id(uow.session, user_id)
        if current is None or current.deleted:
            raise UserNotFound(user_id)
        await apply_access_change(uow, current, erased(current))
        await _erase_secrets(uow.session, user_id)


async def _erase_secrets(session: AsyncSession, user_id: uuid.UUID) -> None:
    """What save_user leaves: the password hash, the verified mark, sign-ins and mailed links."""
    await session.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=None, email_verified_at=None)
    )
    await session.execute(
        delete(refresh_token_families).where(refresh_token_families.c.user_id == user_id)
    )
    await session.execute(delete(account_links).where(account_links.c.user_id == user_id))
