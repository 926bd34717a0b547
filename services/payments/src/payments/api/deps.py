"""Dependencies the payments routes share."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from payments.service.context import Context
from service_runtime.auth import OwnerUser
from service_runtime.service_app import UnitsDep as UnitsDep


def _context(request: Request) -> Context:
    ctx: Context = request.app.state.payments
    return ctx


def _owner_id(owner: OwnerUser) -> uuid.UUID:
    return owner.user_id


ContextDep = Annotated[Context, Depends(_context)]
OwnerIdDep = Annotated[uuid.UUID, Depends(_owner_id)]
