"""SMTP with aiosmtplib: a queued email as a MIME message (plain text, HTML, .ics), sent."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib
from icalendar import Calendar

from notifications.config import NotificationsSettings, SmtpSecurity
from notifications.db.emails import QueuedEmail

SendFailed = (aiosmtplib.SMTPException, OSError)
"""What a failed attempt raises: the server refused, or could not be reached in time."""


class SmtpMailer:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    def message(self, email: QueuedEmail) -> EmailMessage:
        """The MIME message; its Message-ID is the row's, the same on every attempt, so a
        receiving server that deduplicates sees a resend as the same message."""
        message = EmailMessage()
        message["From"] = self._settings.mail_sender
        message["To"] = email.to_address
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = parseaddr(self._settings.mail_sender)[1].rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<{email.id}@{domain}>"
        message.set_content(email.text_body)
        message.add_alternative(email.html_body, subtype="html")
        if email.calendar is not None:
            method = str(Calendar.from_ical(email.calendar)["METHOD"])
            message.add_attachment(
                email.calendar.encode(),
                maintype="text",
                subtype="calendar",
                filename="invite.ics",
                params={"method": method, "charset": "utf-8"},
            )
        return message

    async def send(self, email: QueuedEmail) -> None:
        """Hand the email to the SMTP server; raises one of `SendFailed` when it is not taken."""
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        await aiosmtplib.send(
            self.message(email),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_security is SmtpSecurity.TLS,
            start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
            username=settings.smtp_username,
            password=password,
            timeout=settings.smtp_timeout_seconds,
        )
