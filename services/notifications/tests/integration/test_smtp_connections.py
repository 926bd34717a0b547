"""Connections to the SMTP relay are kept open between emails, as many as are sent at once, and
replaced when the relay closed them or they sat unused too long: what the relay sees."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator

import pytest

from mail_sink import MailSink
from notifications.config import NotificationsSettings
from notifications.db.emails import QueuedEmail
from notifications.mailer import SmtpMailer
from tests.fixtures.infra import free_port


@pytest.fixture
def relay() -> Iterator[MailSink]:
    sink = MailSink("127.0.0.1", free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def mailer_for(relay: MailSink) -> Callable[..., SmtpMailer]:
    def mailer(**settings: object) -> SmtpMailer:
        return SmtpMailer(
            NotificationsSettings(smtp_host=relay.host, smtp_port=relay.port, **settings)
        )

    return mailer


def email(to: str) -> QueuedEmail:
    return QueuedEmail(
        id=uuid.uuid4(),
        to_address=to,
        subject="Booking confirmed",
        text_body="See you.",
        html_body="<p>See you.</p>",
        calendar=None,
        attempts=0,
    )


def connections(relay: MailSink) -> list[tuple[str, int]]:
    """The connections the emails arrived on, in the order they first carried one."""
    return list(dict.fromkeys(mail.peer for mail in relay.received()))


async def test_emails_one_after_the_other_go_over_one_connection(
    relay: MailSink, mailer_for: Callable[..., SmtpMailer]
) -> None:
    mailer = mailer_for()
    for number in range(5):
        await mailer.send(email(f"bea{number}@example.com"))
    await mailer.close()

    assert len(relay.received()) == 5
    assert len(connections(relay)) == 1


async def test_emails_sent_at_once_each_take_a_connection_and_keep_it_for_the_next(
    relay: MailSink, mailer_for: Callable[..., SmtpMailer]
) -> None:
    mailer = mailer_for(send_concurrency=3)
    for round_ in range(3):
        await asyncio.gather(*(mailer.send(email(f"r{round_}n{n}@example.com")) for n in range(3)))
    await mailer.close()

    assert len(relay.received()) == 9
    assert len(connections(relay)) == 3


async def test_a_connection_the_relay_closed_is_replaced_and_the_email_still_sent() -> None:
    first = MailSink("127.0.0.1", free_port())
    first.start()
    mailer = SmtpMailer(NotificationsSettings(smtp_host=first.host, smtp_port=first.port))
    await mailer.send(email("first@example.com"))
    first.stop()  # and with it the connection kept open
    restarted = MailSink(first.host, first.port)
    restarted.start()
    try:
        await mailer.send(email("second@example.com"))
        await mailer.close()
    finally:
        restarted.stop()

    assert [mail.rcpt_tos for mail in restarted.received()] == [["second@example.com"]]


async def test_a_connection_unused_past_its_time_is_closed_and_a_new_one_opened(
    relay: MailSink, mailer_for: Callable[..., SmtpMailer]
) -> None:
    mailer = mailer_for(smtp_keep_open_seconds=0.2)
    await mailer.send(email("first@example.com"))
    await asyncio.sleep(0.3)
    await mailer.send(email("second@example.com"))
    await mailer.close()

    assert len(connections(relay)) == 2


async def test_without_keeping_connections_open_every_email_has_its_own(
    relay: MailSink, mailer_for: Callable[..., SmtpMailer]
) -> None:
    mailer = mailer_for(smtp_keep_open_seconds=0)
    for number in range(3):
        await mailer.send(email(f"bea{number}@example.com"))

    assert len(connections(relay)) == 3
