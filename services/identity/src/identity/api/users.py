"""The caller's own account, and the admins' list of users and role changes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from contracts.values import PlainText
from identity.api.deps import IdentityUnitsDep, SettingsDep
from identity.api.schemas import AccountDeletion, ListedUserOut, RoleChange, UserOut, UserPageOut
from identity.domain.user_directory import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    MAX_QUERY_LENGTH,
)
from identity.service import account_deletion, users
from service_runtime.auth import AdminUser, CurrentUser

router = APIRouter(tags=["users"])


@router.get("/api/users/me")
async def me(principal: CurrentUser, units: IdentityUnitsDep) -> UserOut:
    return UserOut.of(await users.current_user(units, principal.user_id))


@router.delete("/api/users/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(
    body: AccountDeletion, principal: CurrentUser, units: IdentityUnitsDep, settings: SettingsDep
) -> None:
    """Delete the caller's own account, confirmed by its password: their personal data is
    erased here and, on the UserDeleted event, in every service; bookings and payments stay."""
    await account_deletion.delete_own_account(units, settings, principal.user_id, body.password)


@router.get("/api/admin/users")
async def list_users(
    _: AdminUser,
    units: IdentityUnitsDep,
    q: Annotated[
        PlainText | None,
        Query(max_length=MAX_QUERY_LENGTH, description="Part of an email or name, any case"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)] = None,
) -> UserPageOut:
    """Live users, newest first."""
    listed, next_cursor = await users.list_users(
        units, text_in=q.strip() if q and q.strip() else None, limit=limit, cursor=cursor
    )
    return UserPageOut(items=[ListedUserOut.listed(e) for e in listed], next_cursor=next_cursor)


@router.put("/api/admin/users/{user_id}/role")
async def change_role(
    user_id: uuid.UUID, body: RoleChange, admin: AdminUser, units: IdentityUnitsDep
) -> UserOut:
    user = await users.change_role(units, user_id=user_id, role=body.role, changed_by=admin.user_id)
    return UserOut.of(user)


@router.post("/api/admin/signing-keys/rotate")
async def rotate_signing_key(
    _: AdminUser, units: IdentityUnitsDep, settings: SettingsDep
) -> dict[str, str]:
    return {"kid": await users.rotate_signing_key(units, settings)}
