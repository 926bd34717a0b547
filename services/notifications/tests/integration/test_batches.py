"""The sender claims due emails together, sends a few at a time and records each one's own
outcome: the ones the server took are sent, a refused one waits for its retry, and a round finds
no more. A woken round takes batch after batch until a burst is sent."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mail_sink import MailSink
from notifications.config import NotificationsSettings
from notifications.db.unit import SqlNotificationsUnits
from notifications.domain.notices import Email, Kind
from tests.fixtures.infra import eventually, free_port

from ..conftest import Launch, Notifications

pytestmark = pytest.mark.integration


class RefusingSink(MailSink):
    """Refuses (550) every email to an address starting with `refused-`, takes the others."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if any(address.startswith("refused-") for address in envelope.rcpt_tos):
            return "550 No such mailbox"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_sink() -> Iterator[RefusingSink]:
    sink = RefusingSink("127.0.0.1", free_port())
    sink.start()
    yield sink
    sink.stop()


async def _queue(replica: Notifications, addresses: list[str]) -> uuid.UUID:
    """Record one pending email per address for one event, as a handler would."""
    event_id = uuid.uuid4()
    async with SqlNotificationsUnits(replica.runtime.units).begin() as unit:
        for address in addresses:
            email = Email(
                event_id=event_id,
                recipient_id=uuid.uuid4(),
                kind=Kind.RECEIPT,
                booking_id=None,
                to_address=address,
                subject=f"For {address}",
                text_body="Hello",
                html_body="<p>Hello</p>",
            )
            await unit.emails.record(email)
    return event_id


def _on_emails(sent: list[tuple[str, Any]]) -> list[str]:
    """The first word of each statement sent on the emails table (not the pool's pings)."""
    return [statement.split()[0] for statement, _ in sent if "emails" in statement]


async def test_due_emails_go_in_batches_each_marked_by_its_own_outcome(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    refusing_sink: RefusingSink,
) -> None:
    replica = await launch(
        notifications_settings(
            smtp_port=refusing_sink.port, send_poll_seconds=3600, send_first_retry_seconds=3600
        )
    )
    await asyncio.sleep(0.5)  # the sender's first round is over: the next one is an hour away
    taken = [f"taken-{n}@example.com" for n in range(4)]
    event_id = await _queue(replica, [*taken, "refused-1@example.com"])

    attempted = await replica.sending.send_due(limit=10, concurrency=2)
    again = await replica.sending.send_due(limit=10, concurrency=2)

    assert (attempted, again) == (5, 0)
    assert sorted(address for mail in refusing_sink.received() for address in mail.rcpt_tos) == (
        taken
    )
    rows = {row.to_address: row for row in await replica.emails(event_id=event_id)}
    assert [(rows[a].status, rows[a].attempts) for a in taken] == [("sent", 1)] * 4
    refused = rows["refused-1@example.com"]
    assert (refused.status, refused.attempts, refused.sent_at) == ("pending", 1, None)
    assert "550" in refused.last_error


async def test_a_round_claims_and_marks_its_emails_together_and_an_idle_look_is_one_query(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    mail_sink: MailSink,
    sent_statements: list[tuple[str, Any]],
) -> None:
    replica = await launch(notifications_settings(send_poll_seconds=3600))
    await asyncio.sleep(0.5)
    addresses = [f"burst-{uuid.uuid4().hex[:8]}@example.com" for _ in range(6)]
    await _queue(replica, addresses)

    sent_statements.clear()
    sent = await replica.sending.send_due(limit=10, concurrency=2)  # two at a time
    while_sending = _on_emails(sent_statements)
    sent_statements.clear()
    idle = await replica.sending.send_due(limit=10, concurrency=2)

    assert (sent, idle) == (6, 0)
    assert while_sending == ["SELECT", "UPDATE"]  # one claim, one mark for the six
    assert _on_emails(sent_statements) == ["SELECT"]
    received = {address for mail in mail_sink.received() for address in mail.rcpt_tos}
    assert set(addresses) <= received


async def test_a_burst_larger_than_a_batch_is_all_sent_in_the_round_it_woke(
    launch: Launch,
    notifications_settings: Callable[..., NotificationsSettings],
    mail_sink: MailSink,
) -> None:
    """The round takes batch after batch while they come back full: the rest of a burst does
    not wait for the next poll (an hour here; 10 s by default)."""
    replica = await launch(notifications_settings(send_poll_seconds=3600, send_batch_size=3))
    await asyncio.sleep(0.5)  # the sender's first round is over: the next one is an hour away
    addresses = [f"burst-{uuid.uuid4().hex[:8]}@example.com" for _ in range(8)]
    await _queue(replica, addresses)

    replica.writing.emails_recorded()  # as a handler's commit does

    async def all_sent() -> bool:
        received = {address for mail in mail_sink.received() for address in mail.rcpt_tos}
        return set(addresses) <= received

    async def all_marked_sent() -> bool:  # each batch is marked once the server took it
        rows = await replica.emails()
        return [row.status for row in rows if row.to_address in addresses] == ["sent"] * 8

    await eventually(all_sent)
    await eventually(all_marked_sent)
