"""Dependencies the payments routes share."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from payments.db.unit import SqlPaymentsUnits
from payments.repositories import PaymentsUnits
from payments.service.context import Context
from service_runtime.auth import OwnerUser
from service_runtime.service_app import UnitsDep


async def _context(request: Request) -> Context:
    ctx: Context = request.app.state.payments
    return ctx


async def _payments_units(units: UnitsDep) -> PaymentsUnits:
    return SqlPaymentsUnits(units)


async def _owner_id(owner: OwnerUser) -> uuid.UUID:
    return owner.user_id


PaymentsUnitsDep = Annotated[PaymentsUnits, Depends(_payments_units)]
ContextDep = Annotated[Context, Depends(_context)]
OwnerIdDep = Annotated[uuid.UUID, Depends(_owner_id)]
