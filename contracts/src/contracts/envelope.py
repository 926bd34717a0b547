"""The envelope every message travels in, and the base class of every message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

M = TypeVar("M", bound="Message")

# The first of these a message carries is what it concerns (its envelope's correlation_id).
_CORRELATION_FIELDS = ("booking_id", "studio_id", "owner_id", "user_id")


class Message(BaseModel):
    """A command or an event. Subclasses name their type, routing key and schema version.

    Consumers ignore fields they do not know, so a producer may add optional fields
    without breaking a consumer that is still on the previous schema.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_type: ClassVar[str]
    routing_key: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def correlation_key(self) -> str:
        """The id of the booking, studio or user this message concerns, for the envelope."""
        for field in _CORRELATION_FIELDS:
            value = getattr(self, field, None)
            if value is not None:
                return str(value)
        raise TypeError(f"{type(self).__name__} names no booking, studio, owner or user")


class Envelope(BaseModel):
    """Metadata around a message's payload, identical for every message on the bus."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    message_type: str
    schema_version: int
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = Field(description="The booking or user the message concerns.")
    causation_id: uuid.UUID | None = Field(
        default=None, description="The message_id of the message that caused this one."
    )
    traceparent: str | None = Field(default=None, description="W3C trace context of the producer.")
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        message: Message,
        *,
        correlation_id: str | None = None,
        causation_id: uuid.UUID | None = None,
        traceparent: str | None = None,
    ) -> Envelope:
        """Put a message in a new envelope; correlation_id defaults to message.correlation_key()."""
        return cls(
            message_type=message.message_type,
            schema_version=message.schema_version,
            correlation_id=message.correlation_key() if correlation_id is None else correlation_id,
            causation_id=causation_id,
            traceparent=traceparent,
            payload=message.model_dump(mode="json"),
        )

    def open(self, message_class: type[M]) -> M:
        """Parse the payload as the given message class, which must be the envelope's type."""
        if message_class.message_type != self.message_type:
            raise ValueError(
                f"envelope holds {self.message_type}, not {message_class.message_type}"
            )
        return message_class.model_validate(self.payload)
