"""Identity's unit of work on PostgreSQL: the runtime's transaction and outbox, with identity's
repositories on its session."""

from __future__ import annotations

from functools import partial

from identity.db.account_links import SqlAccountLinks
from identity.db.base import user_access
from identity.db.clerk_deliveries import record_clerk_delivery
from identity.db.refresh_tokens import SqlRefreshTokens
from identity.db.signing_keys import SqlSigningKeys
from identity.db.users import SqlUsers
from identity.repositories import (
    AccessChanges,
    AccountLinks,
    ClerkDeliveries,
    RefreshTokens,
    SigningKeys,
    Users,
)
from service_runtime.trust import record_access_change
from service_runtime.unit_of_work import RepositoryUnit, RepositoryUnits, UnitOfWork


class SqlIdentityUnit(RepositoryUnit):
    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        self.users: Users = SqlUsers(uow.session)
        self.record_access_change: AccessChanges = partial(
            record_access_change, uow.session, user_access
        )
        self.refresh_tokens: RefreshTokens = SqlRefreshTokens(uow.session)
        self.account_links: AccountLinks = SqlAccountLinks(uow.session)
        self.signing_keys: SigningKeys = SqlSigningKeys(uow.session)
        self.record_clerk_delivery: ClerkDeliveries = partial(record_clerk_delivery, uow.session)


class SqlIdentityUnits(RepositoryUnits[SqlIdentityUnit]):
    def unit(self, uow: UnitOfWork) -> SqlIdentityUnit:
        return SqlIdentityUnit(uow)
