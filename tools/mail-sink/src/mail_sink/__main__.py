"""`python -m mail_sink --smtp-port 1025 --http-port 8025`: run until interrupted."""

from __future__ import annotations

import argparse
import signal
import threading

from mail_sink.page import serve_page
from mail_sink.sink import MailSink


def main() -> None:
    parser = argparse.ArgumentParser(prog="mail_sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()
    sink = MailSink(args.host, args.smtp_port)
    sink.start()
    page = serve_page(sink, args.host, args.http_port)
    print(
        f"mail sink: SMTP {args.host}:{args.smtp_port}, page http://{args.host}:{args.http_port}/",
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    page.shutdown()
    sink.stop()


if __name__ == "__main__":
    main()
