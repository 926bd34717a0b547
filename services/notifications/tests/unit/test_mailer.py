"""The MIME message a mail client reads back: names and subjects that are not ASCII, the text and
HTML alternatives, and the invitation byte for byte."""

from __future__ import annotations

import email
import uuid
from dataclasses import replace
from email.message import EmailMessage
from email.policy import default

from aiosmtplib.email import flatten_message

from notifications.config import NotificationsSettings
from notifications.db.emails import QueuedEmail
from notifications.mailer import SmtpMailer

INVITATION = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nSUMMARY:Café Blau\r\nEND:VCALENDAR\r\n"


def read_back(queued: QueuedEmail, sender: str = "Studios Müller <bookings@onetime.studio>"):
    mailer = SmtpMailer(NotificationsSettings(mail_sender=sender))
    parsed = email.message_from_bytes(flatten_message(mailer.message(queued)), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def queued(calendar: str | None, subject: str = "Your booking at Café Blau") -> QueuedEmail:
    return QueuedEmail(
        id=uuid.uuid4(),
        to_address="bea@example.com",
        subject=subject,
        text_body="Hallo Bea,\nbis Dienstag, 10:00 Uhr (Straße).\n",
        html_body="<p>Hallo Bea, bis Dienstag, 10:00 Uhr (Straße).</p>",
        calendar=calendar,
        attempts=0,
    )


def test_a_mail_client_reads_the_headers_the_alternatives_and_the_invitation_as_written() -> None:
    sent = queued(INVITATION)
    message = read_back(sent)
    assert message["From"] == "Studios Müller <bookings@onetime.studio>"
    assert message["To"] == "bea@example.com"
    assert message["Subject"] == "Your booking at Café Blau"
    assert message["Message-ID"] == f"<{sent.id}@onetime.studio>"
    assert message.get_content_type() == "multipart/mixed"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None
    assert plain.get_content() == sent.text_body
    assert html is not None
    assert html.get_content() == sent.html_body
    [invitation] = message.iter_attachments()
    assert invitation.get_content_type() == "text/calendar"
    assert invitation.get_param("method") == "CANCEL"
    assert invitation.get_filename() == "invite.ics"
    assert invitation.get_payload(decode=True) == INVITATION.encode()


def test_an_email_without_invitation_is_its_two_alternatives() -> None:
    message = read_back(queued(None), sender="bookings@onetime.studio")
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"] == "bookings@onetime.studio"
    assert list(message.iter_attachments()) == []


def test_a_subject_is_one_line_whatever_its_parts_held() -> None:
    message = read_back(queued(None, subject="Booked:\r\nBcc: eve@example.com  Lab"))
    assert message["Subject"] == "Booked: Bcc: eve@example.com Lab"
    assert message["Bcc"] is None


def test_a_body_holding_the_boundary_line_reads_back_as_written() -> None:
    sent = queued(INVITATION)
    for boundary in (f"=_{sent.id.hex}_a", f"=_{sent.id.hex}_m"):
        sent = replace(sent, text_body=f"{sent.text_body}--{boundary}\n--{boundary}--\n")
    message = read_back(sent)
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content() == sent.text_body
    [invitation] = message.iter_attachments()
    assert invitation.get_payload(decode=True) == INVITATION.encode()
