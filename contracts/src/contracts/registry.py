"""Every message class on the bus, by type name: what a consumer needs to open an envelope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeGuard

from contracts import availability, booking, catalog, identity, payments
from contracts.envelope import Envelope, Message

_MODULES = (identity, catalog, availability, booking, payments)


def all_messages() -> dict[str, type[Message]]:
    """Every concrete message class defined in contracts, keyed by message_type."""
    return {message.message_type: message for message in message_classes()}


def message_classes() -> list[type[Message]]:
    """Every concrete message class defined in contracts, module by module, duplicates kept."""
    return [
        value
        for module in _MODULES
        for value in vars(module).values()
        if _is_concrete_message(value) and value.__module__ == module.__name__
    ]


def _is_concrete_message(value: object) -> TypeGuard[type[Message]]:
    # Shared bases such as catalog._StudioEvent are Messages without a type of their own.
    return (
        isinstance(value, type)
        and issubclass(value, Message)
        and "message_type" in vars(value)
        and "routing_key" in vars(value)
    )


def message_class(message_type: str) -> type[Message]:
    """The class of a message_type; KeyError for a type contracts does not define."""
    return all_messages()[message_type]


def open_envelope(envelope: Envelope) -> Message:
    """Parse an envelope's payload as the class its message_type names."""
    return envelope.open(message_class(envelope.message_type))


def routing_keys(classes: Iterable[type[Message]]) -> list[str]:
    """The routing keys of the given message classes, in order: what a queue binds to."""
    return [message.routing_key for message in classes]


def is_command(message: type[Message]) -> bool:
    """Whether the class is a command (routed to the service that executes it)."""
    return ".command." in message.routing_key


def commands_for(service: str) -> list[type[Message]]:
    """The commands the given service executes, e.g. commands_for("availability")."""
    return [
        message
        for message in all_messages().values()
        if is_command(message) and message.routing_key.startswith(f"{service}.command.")
    ]
