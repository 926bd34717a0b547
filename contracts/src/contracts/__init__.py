"""Messages on the OneTime Studios bus. The one place where they are defined."""

from contracts.envelope import Envelope, Message

__all__ = ["Envelope", "Message"]
