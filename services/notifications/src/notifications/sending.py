"""Sending the recorded emails: one at a time, each claimed by one replica for its attempt,
retried with backoff and given up visibly."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.emails import QueuedEmail, SqlEmails
from notifications.domain.notices import RetryPolicy
from notifications.mailer import SendFailed, SmtpMailer
from service_runtime.clock import utc_now
from service_runtime.db import Database

log = logging.getLogger(__name__)


class EmailSending:
    """Sends queued emails one at a time, each claimed by one replica for its attempt.

    The row is marked sent in the transaction that claimed it, after the SMTP server took the
    email. If the process dies in between, the row is still pending and is sent again: at
    least once to the SMTP server in that window (with the same Message-ID), exactly once
    otherwise, and never twice for a redelivered event (the inbox and the unique row).
    """

    def __init__(
        self,
        database: Database,
        mailer: SmtpMailer,
        policy: RetryPolicy,
        registry: CollectorRegistry,
    ) -> None:
        self._database = database
        self._mailer = mailer
        self._policy = policy
        self._outcomes = Counter(
            "notifications_email_attempts",
            "Attempts to send an email, by outcome: sent, retry (failed, tried again later) or"
            " failed (attempts spent; the row's status is failed)",
            ["outcome"],
            registry=registry,
        )

    async def send_due(self, *, limit: int, concurrency: int = 1) -> int:
        """Attempt up to `limit` due emails, `concurrency` at a time (each claims its own row,
        in its own transaction, on its own SMTP connection); returns how many were attempted."""
        attempted = 0

        async def one_after_another() -> None:
            nonlocal attempted
            while attempted < limit and await self.send_next():
                attempted += 1

        await asyncio.gather(*(one_after_another() for _ in range(concurrency)))
        return attempted

    async def send_next(self) -> bool:
        """Attempt the next due email; False when none is due."""
        async with self._database.transaction() as session:
            email = await SqlEmails(session).claim_due(utc_now())
            if email is None:
                return False
            try:
                await self._mailer.send(email)
            except Exception as error:  # any: a bad row must not stall the ones behind it
                await self._failed(session, email, error)
            else:
                await SqlEmails(session).mark_sent(email.id)
                self._outcomes.labels("sent").inc()
        return True

    async def _failed(self, session: AsyncSession, email: QueuedEmail, error: Exception) -> None:
        attempts = email.attempts + 1
        wait = self._policy.wait_after(attempts)
        reason = f"{type(error).__name__}: {error}"
        retry_at = None if wait is None else utc_now() + wait
        await SqlEmails(session).mark_attempt_failed(email.id, reason, retry_at=retry_at)
        if retry_at is None:
            self._outcomes.labels("failed").inc()
            log.error(
                "email %s to %s failed after %d attempts: %s",
                email.id,
                email.to_address,
                attempts,
                reason,
                exc_info=not isinstance(error, SendFailed),
            )
        else:
            self._outcomes.labels("retry").inc()
            log.warning(
                "email %s attempt %d failed (%s); next at %s",
                email.id,
                attempts,
                reason,
                retry_at,
                exc_info=not isinstance(error, SendFailed),
            )
