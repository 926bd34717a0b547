"""Sending the recorded emails: a few at a time, claimed together by one replica for their
attempt, retried with backoff and given up visibly."""

from __future__ import annotations

import asyncio
import logging
import uuid

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.db.emails import QueuedEmail, SqlEmails
from notifications.domain.notices import RetryPolicy
from notifications.mailer import SendFailed, SmtpMailer
from service_runtime.clock import utc_now
from service_runtime.db import Database

log = logging.getLogger(__name__)


class EmailSending:
    """Sends queued emails in batches, each batch claimed by one replica for its attempt.

    A batch is claimed, sent (a few at once, each on an SMTP connection of its own) and marked
    in one transaction, after the SMTP server took or refused each email. If the process dies before
    that commit, the batch is still pending and is sent again: at least once to the SMTP server
    in that window (with the same Message-ID), exactly once otherwise, and never twice for a
    redelivered event (the inbox and the unique row).
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
        """Attempt up to `limit` due emails, claimed together, `concurrency` at a time; returns
        how many were attempted. One transaction for the lot: under load a round finds the
        emails of several bookings (the sender lingers after a wake, `SEND_LINGER_SECONDS`),
        and a round with nothing to send costs one query."""
        async with self._database.transaction() as session:
            batch = await SqlEmails(session).claim_due(utc_now(), limit=limit)
            connections = asyncio.Semaphore(concurrency)

            async def send(email: QueuedEmail) -> None:
                async with connections:
                    await self._mailer.send(email)

            outcomes = await asyncio.gather(
                *(send(email) for email in batch), return_exceptions=True
            )
            sent: list[uuid.UUID] = []
            failed: list[tuple[QueuedEmail, Exception]] = []
            for email, outcome in zip(batch, outcomes, strict=True):
                if outcome is None:
                    sent.append(email.id)
                elif isinstance(outcome, Exception):  # any: a bad row must not stall the others
                    failed.append((email, outcome))
                else:
                    raise outcome  # cancelled: roll back, the batch stays pending
            await SqlEmails(session).mark_sent(sent)
            self._outcomes.labels("sent").inc(len(sent))
            for email, error in failed:
                await self._failed(session, email, error)
        return len(batch)

    async def _failed(self, session: AsyncConnection, email: QueuedEmail, error: Exception) -> None:
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
                exc_info=None if isinstance(error, SendFailed) else error,
            )
        else:
            self._outcomes.labels("retry").inc()
            log.warning(
                "email %s attempt %d failed (%s); next at %s",
                email.id,
                attempts,
                reason,
                retry_at,
                exc_info=None if isinstance(error, SendFailed) else error,
            )
