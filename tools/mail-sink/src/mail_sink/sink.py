"""The SMTP side: aiosmtpd on a loopback port, every email accepted and kept in memory."""

from __future__ import annotations

import email
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One email as it arrived: the envelope's sender and recipients, the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    received_at: datetime

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def body(self, subtype: str = "plain") -> str:
        """The text/<subtype> part's content ("plain" or "html")."""
        part = self.message.get_body(preferencelist=(subtype,))
        return "" if part is None else str(part.get_content())

    def attachments(self, content_type: str) -> list[str]:
        """The decoded text of the attachments of this content type, e.g. text/calendar."""
        return [
            str(part.get_content())
            for part in self.message.iter_attachments()
            if part.get_content_type() == content_type
        ]


class MailSink:
    """Accepts any email on host:port and keeps it; `received()` is safe from any thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1025) -> None:
        self.host = host
        self.port = port
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=host, port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def to(self, address: str) -> list[Received]:
        """What arrived for this recipient."""
        return [mail for mail in self.received() if address in mail.rcpt_tos]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, datetime.now(UTC))
            )
        return "250 Message accepted"
