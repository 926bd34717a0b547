"""SMTP with aiosmtplib: a queued email as a MIME message (plain text, HTML, .ics), sent."""

from __future__ import annotations

import asyncio
import re
import socket
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from notifications.config import NotificationsSettings, SmtpSecurity
from notifications.db.emails import QueuedEmail

SendFailed = (aiosmtplib.SMTPException, OSError)
"""What a failed attempt raises: the server refused, or could not be reached in time."""

# The invitation is our own text (invitations.py): its METHOD line is read, not parsed with
# icalendar, which would parse every line of its VTIMEZONE for that one value.
_METHOD = re.compile(r"^METHOD:(\w+)\r?$", re.MULTILINE)


class SmtpMailer:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._domain = parseaddr(settings.mail_sender)[1].rpartition("@")[2] or "localhost"
        self._local_hostname: str | None = None

    def message(self, email: QueuedEmail) -> EmailMessage:
        """The MIME message; its Message-ID is the row's, the same on every attempt, so a
        receiving server that deduplicates sees a resend as the same message."""
        message = EmailMessage()
        message["From"] = self._settings.mail_sender
        message["To"] = email.to_address
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = f"<{email.id}@{self._domain}>"
        message.set_content(email.text_body)
        message.add_alternative(email.html_body, subtype="html")
        if email.calendar is not None:
            method = _METHOD.search(email.calendar)
            if method is None:
                raise ValueError(f"email {email.id}: its invitation has no METHOD")
            message.add_attachment(
                email.calendar.encode(),
                maintype="text",
                subtype="calendar",
                filename="invite.ics",
                params={"method": method[1], "charset": "utf-8"},
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
            local_hostname=await self._ehlo_name(),
            use_tls=settings.smtp_security is SmtpSecurity.TLS,
            start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
            username=settings.smtp_username,
            password=password,
            timeout=settings.smtp_timeout_seconds,
        )

    async def _ehlo_name(self) -> str:
        """This host's name for EHLO, looked up once (aiosmtplib would look it up, in a
        thread, on every connection)."""
        if self._local_hostname is None:
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        return self._local_hostname
