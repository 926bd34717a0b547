"""A person deletes their own account: in one unit of work identity erases what it holds of
them and publishes UserDeleted, on which every other service erases or pseudonymizes theirs."""

from __future__ import annotations

import uuid

from identity.config import IdentitySettings
from identity.domain.users import NoLocalPassword, UserNotFound, WrongPassword, erased
from identity.repositories import IdentityUnits
from identity.service.users import apply_access_change


async def delete_own_account(
    units: IdentityUnits, settings: IdentitySettings, user_id: uuid.UUID, password: str
) -> None:
    async with units.begin() as unit:
        user = await unit.users.by_id(user_id)
    if user is None or user.deleted:
        raise UserNotFound(user_id)
    if user.password_hash is None:
        raise NoLocalPassword()
    # Checked holding no connection, as at sign-in.
    if not await settings.password_hashing().verify(user.password_hash, password):
        raise WrongPassword()
    async with units.begin() as unit:
        # Locked to commit: two deletions at once publish one event, not two.
        current = await unit.users.locked(user_id)
        if current is None or current.deleted:
            raise UserNotFound(user_id)
        await apply_access_change(unit, current, erased(current))
        # What saving leaves: the password hash, the verified mark, sign-ins, mailed links.
        await unit.users.clear_password_and_verification(user_id)
        await unit.refresh_tokens.delete_families_of(user_id)
        await unit.account_links.delete_of(user_id)
