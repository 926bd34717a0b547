"""The sink as a developer uses it: emails sent over SMTP read back whole, the newest kept."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest

from mail_sink import MailSink
from mail_sink.page import serve_page
from tests.fixtures.infra import free_port


@pytest.fixture
def sink() -> Iterator[MailSink]:
    sink = MailSink("127.0.0.1", free_port(), keep=2)
    sink.start()
    yield sink
    sink.stop()


async def send(sink: MailSink, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", subject
    message.set_content(f"About {subject}.")
    await aiosmtplib.send(message, hostname=sink.host, port=sink.port)


async def test_the_newest_emails_read_back_as_sent_and_the_oldest_beyond_the_bound_go(
    sink: MailSink,
) -> None:
    for subject in ("Erste Buchung", "Zweite Buchung", "Dritte Buchung, Straße"):
        await send(sink, subject)
    kept = sink.to("b@example.com")
    assert [mail.subject for mail in kept] == ["Zweite Buchung", "Dritte Buchung, Straße"]
    assert kept[1].body("plain").splitlines() == ["About Dritte Buchung, Straße."]
    assert kept[1].mail_from == "a@example.com"

    page = serve_page(sink, sink.host, free_port())
    try:
        url = f"http://{sink.host}:{page.server_port}"
        async with httpx.AsyncClient(base_url=url) as client:
            raw = (await client.get("/messages/1")).text
            summaries = (await client.get("/messages.json")).json()
            missing = await client.get("/messages/2")
    finally:
        page.shutdown()
    assert "Subject: Dritte Buchung, =?utf-8?q?Stra=C3=9Fe?=\r\n" in raw  # as it arrived
    assert [summary["subject"] for summary in summaries] == [
        "Zweite Buchung",
        "Dritte Buchung, Straße",
    ]
    assert missing.status_code == 404
