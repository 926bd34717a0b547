"""A local SMTP server that keeps every email it is given and lists them on a web page."""

from mail_sink.sink import MailSink, Received

__all__ = ["MailSink", "Received"]
