"""A person deletes their own account: in one unit of work identity erases what it holds of
them and publishes UserDeleted, on which every other service erases or pseudonymizes theirs."""

from __future__ import annotations

import uuid

from identity.config import IdentitySettings
from identity.db.account_links import delete_account_links_of
from identity.db.refresh_tokens import delete_refresh_families_of
from identity.db.users import clear_password_and_verification, locked_user, user_by_id
from identity.domain.users import NoLocalPassword, UserNotFound, WrongPassword, erased
from identity.service.users import apply_access_change
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
        current = await locked_user(uow.session, user_id)
        if current is None or current.deleted:
            raise UserNotFound(user_id)
        await apply_access_change(uow, current, erased(current))
        # What save_user leaves: the password hash, the verified mark, sign-ins, mailed links.
        await clear_password_and_verification(uow.session, user_id)
        await delete_refresh_families_of(uow.session, user_id)
        await delete_account_links_of(uow.session, user_id)
