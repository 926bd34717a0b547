"""The caller's own account, and admin role changes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from identity import service
from identity.api.deps import UnitsDep
from identity.api.schemas import RoleChange, UserOut
from service_runtime.auth import AdminUser, CurrentUser

router = APIRouter(tags=["users"])


@router.get("/api/users/me")
async def me(principal: CurrentUser, units: UnitsDep) -> UserOut:
    return UserOut.of(await service.current_user(units, principal.user_id))


@router.put("/api/admin/users/{user_id}/role")
async def change_role(
    user_id: uuid.UUID, body: RoleChange, admin: AdminUser, units: UnitsDep
) -> UserOut:
    changed_by = uuid.UUID(admin.user_id) if _is_uuid(admin.user_id) else None
    user = await service.change_role(units, user_id=user_id, role=body.role, changed_by=changed_by)
    return UserOut.of(user)


@router.post("/api/admin/signing-keys/rotate")
async def rotate_signing_key(_: AdminUser, units: UnitsDep) -> dict[str, str]:
    return {"kid": await service.rotate_signing_key(units)}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
