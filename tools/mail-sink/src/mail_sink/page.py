"""The HTTP side: what arrived, newest first, as a page and as JSON."""

from __future__ import annotations

import html
import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mail_sink.sink import MailSink, Received


def _summary(number: int, mail: Received) -> dict[str, object]:
    return {
        "number": number,
        "received_at": mail.received_at.isoformat(),
        "from": mail.mail_from,
        "to": mail.rcpt_tos,
        "subject": mail.subject,
        "text": mail.body("plain"),
        "calendar": mail.attachments("text/calendar"),
    }


def _page(sink: MailSink) -> str:
    rows = "".join(
        f"<tr><td>{number}</td><td>{mail.received_at:%Y-%m-%d %H:%M:%S}</td>"
        f"<td>{html.escape(', '.join(mail.rcpt_tos))}</td>"
        f'<td><a href="/messages/{number}">{html.escape(mail.subject)}</a></td></tr>'
        for number, mail in reversed(list(enumerate(sink.received())))
    )
    return (
        "<!doctype html><meta charset=utf-8><title>Mail sink</title>"
        f"<h1>Mail sink</h1><p>SMTP on {sink.host}:{sink.port}; "
        '<a href="/messages.json">JSON</a></p>'
        "<table border=1 cellpadding=4><tr><th>#</th><th>received (UTC)</th><th>to</th>"
        f"<th>subject</th></tr>{rows}</table>"
    )


def serve_page(sink: MailSink, host: str, port: int) -> ThreadingHTTPServer:
    """Serve the page on a daemon thread; `shutdown()` the returned server to stop it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received = sink.received()
            if self.path == "/":
                self._reply("text/html; charset=utf-8", _page(sink))
            elif self.path == "/messages.json":
                body = [_summary(n, mail) for n, mail in enumerate(received)]
                self._reply("application/json", json.dumps(body))
            elif self.path.startswith("/messages/") and self.path[10:].isdigit():
                number = int(self.path[10:])
                if number >= len(received):
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                raw = received[number].content.decode(errors="replace")
                self._reply("text/plain; charset=utf-8", raw)
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _reply(self, content_type: str, body: str) -> None:
            data = body.encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the page is polled

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="mail-sink-page", daemon=True).start()
    return server
