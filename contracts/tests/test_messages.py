"""Every message travels in an envelope unchanged, and names follow one convention."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from contracts.envelope import Envelope, Message
from contracts.examples import examples
from contracts.registry import (
    all_messages,
    commands_for,
    is_command,
    message_class,
    message_classes,
    open_envelope,
    routing_keys,
)

SERVICES = ("identity", "catalog", "availability", "booking", "payments")
CONCERNS = ("booking_id", "studio_id", "owner_id", "user_id")


@pytest.mark.parametrize("message", examples(), ids=lambda m: m.message_type)
def test_message_round_trips_through_an_envelope(message: Message) -> None:
    envelope = Envelope.wrap(message, correlation_id="booking-42")

    received = Envelope.model_validate_json(envelope.model_dump_json())

    assert received == envelope
    assert received.open(type(message)) == message
    assert open_envelope(received) == message


def test_every_message_has_an_example() -> None:
    assert sorted(type(message).message_type for message in examples()) == sorted(all_messages())


def test_message_types_are_unique() -> None:
    duplicates = [
        name for name, n in Counter(m.message_type for m in message_classes()).items() if n > 1
    ]

    assert duplicates == []


def test_routing_keys_are_unique() -> None:
    duplicates = [key for key, n in Counter(routing_keys(message_classes())).items() if n > 1]

    assert duplicates == []


@pytest.mark.parametrize("message", message_classes(), ids=lambda m: m.message_type)
def test_names_follow_the_convention(message: type[Message]) -> None:
    service, _, name = message.message_type.partition(".")
    snake_name = re.sub(r"(?<!^)(?=[A-Z])", "_", message.__name__).lower()

    assert service in SERVICES
    assert name == snake_name
    if is_command(message):
        assert message.routing_key == f"{service}.command.{name}"
    else:
        assert re.fullmatch(rf"{service}\.[a-z_]+\.[a-z_]+", message.routing_key)


@pytest.mark.parametrize("message", message_classes(), ids=lambda m: m.message_type)
def test_message_says_who_sends_it_and_when(message: type[Message]) -> None:
    docstring = vars(message).get("__doc__") or ""

    assert docstring.strip(), f"{message.__name__} needs a one-line docstring"


@pytest.mark.parametrize("message", message_classes(), ids=lambda m: m.message_type)
def test_message_names_what_it_concerns(message: type[Message]) -> None:
    assert any(
        message.model_fields[name].is_required()
        for name in CONCERNS
        if name in message.model_fields
    )


@pytest.mark.parametrize("message", examples(), ids=lambda m: m.message_type)
def test_envelope_correlates_by_what_the_message_concerns(message: Message) -> None:
    envelope = Envelope.wrap(message)

    expected = next(getattr(message, name) for name in CONCERNS if hasattr(message, name))
    assert envelope.correlation_id == str(expected)


def test_envelope_refuses_to_open_as_another_message() -> None:
    hold_slots = next(m for m in examples() if m.message_type == "availability.hold_slots")
    envelope = Envelope.wrap(hold_slots)

    with pytest.raises(ValueError, match=r"holds availability\.hold_slots"):
        envelope.open(message_class("availability.slots_held"))


def test_commands_for_lists_what_a_service_executes() -> None:
    commands = {message.__name__ for message in commands_for("availability")}

    assert commands == {"HoldSlots", "ConfirmSlots", "ReleaseSlots", "DropMoveHold"}


def test_messages_are_frozen() -> None:
    message = examples()[0]

    with pytest.raises(ValueError, match="frozen"):
        message.user_id = None  # type: ignore[attr-defined]
