"""Every message class on the bus, by type name: what a consumer needs to open an envelope."""

from __future__ import annotations

from contracts import identity
from contracts.envelope import Message

_MODULES = (identity,)


def all_messages() -> dict[str, type[Message]]:
    """Every concrete message class defined in contracts, keyed by message_type."""
    found: dict[str, type[Message]] = {}
    for module in _MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Message) and value is not Message:
                found[value.message_type] = value
    return found
