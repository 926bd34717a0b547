"""Identity's verification and reset links reach the address they name, once each."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from contracts import Envelope
from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.mail import MailSink

from ..conftest import Notifications, publish


async def test_a_verification_link_delivered_twice_is_emailed_once_with_its_deadline(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    address = f"new-{uuid.uuid4().hex[:8]}@example.com"
    event = EmailVerificationRequested(
        user_id=uuid.uuid4(),
        email=address,
        name="Nia New",
        link="http://web.example/verify-email?token=abc123",
        expires_at=datetime(2026, 12, 4, 7, 45, tzinfo=UTC),
    )
    envelope = Envelope.wrap(event)

    await publish(publisher, envelope, event)
    await publish(publisher, envelope, event)
    await eventually(lambda: _arrived(mail_sink, address))
    await asyncio.sleep(1)  # time for a second copy to arrive, if one were coming

    [mail] = mail_sink.to(address)
    assert mail.subject == "Confirm your email for OneTime Studios"
    text = mail.body("plain")
    assert "Hello Nia New," in text
    assert "http://web.example/verify-email?token=abc123" in text
    assert "until Friday 4 December 2026, 07:45 UTC" in " ".join(text.split())
    assert 'href="http://web.example/verify-email?token=abc123"' in mail.body("html")
    [row] = await notifications.emails(event_id=envelope.message_id)
    assert (row.kind, row.status, row.booking_id) == ("email_verification", "sent", None)


async def test_a_reset_link_goes_to_the_account_address(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    address = f"forgetful-{uuid.uuid4().hex[:8]}@example.com"
    event = PasswordResetRequested(
        user_id=uuid.uuid4(),
        email=address,
        name="Fred",
        link="http://web.example/reset-password?token=xyz789",
        expires_at=datetime.now(UTC) + timedelta(minutes=30),
    )

    await publish(publisher, Envelope.wrap(event), event)
    await eventually(lambda: _arrived(mail_sink, address))

    [mail] = mail_sink.to(address)
    assert mail.subject == "Reset your OneTime Studios password"
    assert "http://web.example/reset-password?token=xyz789" in mail.body("plain")
    assert "your password stays as it is" in " ".join(mail.body("plain").split())


async def _arrived(mail_sink: MailSink, address: str) -> bool:
    return bool(mail_sink.to(address))
