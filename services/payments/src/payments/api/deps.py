"""Dependencies the payments routes share."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from payments.service import Context
from service_runtime.auth import OwnerUser
from service_runtime.service_app import runtime_of
from service_runtime.unit_of_work import UnitsOfWork


def _units(request: Request) -> UnitsOfWork:
    return runtime_of(request).units


def _context(request: Request) -> Context:
    ctx: Context = request.app.state.payments
    return ctx


def _owner_id(owner: OwnerUser) -> uuid.UUID:
    try:
        return uuid.UUID(owner.user_id)
    except ValueError:
        raise HTTPException(403, "This account has no OneTime user id.") from None


UnitsDep = Annotated[UnitsOfWork, Depends(_units)]
ContextDep = Annotated[Context, Depends(_context)]
OwnerIdDep = Annotated[uuid.UUID, Depends(_owner_id)]
