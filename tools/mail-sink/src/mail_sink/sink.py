"""The SMTP side: aiosmtpd on a loopback port, every email accepted and the newest kept in
memory."""

from __future__ import annotations

import email
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from functools import cached_property
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One email as it arrived: the envelope's sender and recipients, and the message, parsed
    when first read (parsing is most of a sink's work, and most emails are never read)."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    received_at: datetime
    peer: tuple[str, int]
    """The sending end of the connection it came on (which tells connections apart)."""

    @cached_property
    def message(self) -> EmailMessage:
        message = email.message_from_bytes(self.content, policy=default)
        assert isinstance(message, EmailMessage)
        return message

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
    """Accepts any email on host:port and keeps the newest `keep`; `received()` is safe from
    any thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1025, keep: int = 10_000) -> None:
        self.host = host
        self.port = port
        self._received: deque[Received] = deque(maxlen=keep)
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
        received = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            envelope.content,
            datetime.now(UTC),
            tuple(session.peer[:2]),
        )
        with self._lock:
            self._received.append(received)
        return "250 Message accepted"
