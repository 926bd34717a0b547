"""SMTP with aiosmtplib: a queued email as a MIME message (plain text, HTML, .ics), sent."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from email.charset import BASE64, QP, Charset
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from notifications.config import NotificationsSettings, SmtpSecurity
from notifications.db.emails import QueuedEmail

SendFailed = (aiosmtplib.SMTPException, OSError)
"""What a failed attempt raises: the server refused, or could not be reached in time."""

# The invitation is our own text (invitations.py): its METHOD line is read, not parsed with
# icalendar, which would parse every line of its VTIMEZONE for that one value.
_METHOD = re.compile(r"^METHOD:(\w+)\r?$", re.MULTILINE)


def _utf8(body_encoding: int) -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = body_encoding
    return charset


# Readable text parts; the invitation in base64, so its CRLF lines arrive byte for byte.
_TEXT = _utf8(QP)
_CALENDAR = _utf8(BASE64)


def _text(body: str, subtype: str, charset: Charset) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body, charset)
    return part


class SmtpMailer:
    """Sends over connections kept open between emails: a connection, its EHLO and its TLS
    handshake cost more than the email they carry. Up to `send_concurrency` stay open, each
    closed once unused for `smtp_keep_open_seconds`; one the relay closed meanwhile is replaced."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        name, address = parseaddr(settings.mail_sender)
        self._sender = formataddr((name, address))  # a name that is not ASCII, encoded
        self._domain = address.rpartition("@")[2] or "localhost"
        self._local_hostname: str | None = None
        self._unused: list[tuple[aiosmtplib.SMTP, float]] = []  # open, with when last used

    def message(self, email: QueuedEmail) -> MIMEMultipart:
        """The MIME message; its Message-ID is the row's, the same on every attempt, so a
        receiving server that deduplicates sees a resend as the same message.

        Built with the compat32 classes (`email.mime`), which take header values as they are:
        `EmailMessage` parses every header into objects and folds them back when flattened,
        three times the CPU for our few short headers (2.4 against 0.7 ms an email here).

        The boundaries are ours, from the row's id: "=_" cannot occur in quoted-printable or
        base64 text (RFC 2045, 6.7), which every part is in. Left to the generator, it would
        search the parts for its random boundary with a regular expression compiled anew for
        every message."""
        content = MIMEMultipart("alternative", boundary=f"=_{email.id.hex}_a")
        content.attach(_text(email.text_body, "plain", _TEXT))
        content.attach(_text(email.html_body, "html", _TEXT))
        message = content
        if email.calendar is not None:
            method = _METHOD.search(email.calendar)
            if method is None:
                raise ValueError(f"email {email.id}: its invitation has no METHOD")
            invitation = _text(email.calendar, "calendar", _CALENDAR)
            invitation.set_param("method", method[1])
            invitation.add_header("Content-Disposition", "attachment", filename="invite.ics")
            message = MIMEMultipart("mixed", boundary=f"=_{email.id.hex}_m")
            message.attach(content)
            message.attach(invitation)
        message["From"] = self._sender
        message["To"] = email.to_address
        # Flattening encodes a subject that is not ASCII; one line, whatever a name held.
        message["Subject"] = " ".join(email.subject.split())
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = f"<{email.id}@{self._domain}>"
        return message

    async def send(self, email: QueuedEmail) -> None:
        """Hand the email to the SMTP server; raises one of `SendFailed` when it is not taken."""
        message = self.message(email)
        client = await self._open_unused()
        if client is not None:
            try:
                await client.send_message(message)
            except aiosmtplib.SMTPServerDisconnected:
                # Closed by the relay while unused: again on a new connection. Should it have
                # closed after taking the email, this sends it twice with the same Message-ID.
                client.close()
            except BaseException:
                client.close()
                raise
            else:
                await self._keep(client)
                return
        client = await self._connect()
        try:
            await client.send_message(message)
        except BaseException:
            client.close()  # in a state unknown: not reused
            raise
        await self._keep(client)

    async def close(self) -> None:
        """Say goodbye on every connection kept open (at shutdown)."""
        unused, self._unused = self._unused, []
        for client, _ in unused:
            await _quit(client)

    async def _open_unused(self) -> aiosmtplib.SMTP | None:
        """The connection used last, if still open and not kept past its time; those kept too
        long are closed."""
        while self._unused:
            client, used_at = self._unused.pop()
            if not client.is_connected:
                continue
            if time.monotonic() - used_at < self._settings.smtp_keep_open_seconds:
                return client
            await _quit(client)
        return None

    async def _keep(self, client: aiosmtplib.SMTP) -> None:
        if len(self._unused) < self._settings.send_concurrency and (
            self._settings.smtp_keep_open_seconds > 0
        ):
            self._unused.append((client, time.monotonic()))
        else:
            await _quit(client)

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            local_hostname=await self._ehlo_name(),
            use_tls=settings.smtp_security is SmtpSecurity.TLS,
            start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
            username=settings.smtp_username,
            password=password,
            timeout=settings.smtp_timeout_seconds,
        )
        await client.connect()
        return client

    async def _ehlo_name(self) -> str:
        """This host's name for EHLO, looked up once (aiosmtplib would look it up, in a
        thread, on every connection)."""
        if self._local_hostname is None:
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        return self._local_hostname


async def _quit(client: aiosmtplib.SMTP) -> None:
    """QUIT, as a polite client does; a relay that does not answer is simply cut off."""
    try:
        await client.quit()
    except SendFailed:
        client.close()
