"""The current models against their committed schemas, and the checker against known changes."""

from __future__ import annotations

import json
import uuid
from enum import StrEnum
from typing import Any, ClassVar

import pytest
from pydantic import Field

from contracts.compat import breaking_changes, is_compatible
from contracts.envelope import Envelope, Message
from contracts.registry import all_messages
from contracts.schemas import ENVELOPE_FILE, SCHEMA_DIR, message_schema, schema_file_name
from contracts.values import Money


def _committed(file_name: str) -> dict[str, Any]:
    path = SCHEMA_DIR / file_name
    if not path.exists():
        pytest.fail(f"{file_name} is not committed: run `uv run python -m contracts.schemas write`")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("message", list(all_messages().values()), ids=lambda m: m.message_type)
def test_message_is_compatible_with_its_committed_schema(message: type[Message]) -> None:
    committed = _committed(schema_file_name(message))

    problems = breaking_changes(committed, message_schema(message))

    assert not problems, (
        f"{message.__name__} breaks consumers of {schema_file_name(message)}: bump its "
        "schema_version or make the change compatible:\n  " + "\n  ".join(problems)
    )


def test_envelope_is_compatible_with_its_committed_schema() -> None:
    problems = breaking_changes(_committed(ENVELOPE_FILE), Envelope.model_json_schema())

    assert not problems, "\n".join(problems)


# The checker, against a committed message and changed versions of it.


class Kind(StrEnum):
    SMALL = "small"
    LARGE = "large"


class Committed(Message):
    message_type: ClassVar[str] = "test.thing_happened"
    routing_key: ClassVar[str] = "test.thing.happened"

    thing_id: uuid.UUID
    count: int
    note: str | None = None
    kind: Kind
    price: Money


def _problems(current: type[Message]) -> list[str]:
    return breaking_changes(message_schema(Committed), message_schema(current))


def test_unchanged_model_is_compatible() -> None:
    class Same(Committed):
        """Only the docstring (the schema's description) differs."""

    assert _problems(Same) == []


def test_added_optional_field_is_compatible() -> None:
    class WithOptional(Committed):
        colour: str | None = None
        size: int = 3

    assert _problems(WithOptional) == []


def test_removed_field_breaks() -> None:
    class WithoutCount(Message):
        message_type: ClassVar[str] = "test.thing_happened"
        routing_key: ClassVar[str] = "test.thing.happened"

        thing_id: uuid.UUID
        note: str | None = None
        kind: Kind
        price: Money

    assert _problems(WithoutCount) == ["count: removed"]


def test_retyped_field_breaks() -> None:
    class CountAsText(Committed):
        count: str  # type: ignore[assignment]

    assert _problems(CountAsText) == ["count: retyped from integer to string"]


def test_field_that_became_required_breaks() -> None:
    class NoteRequired(Committed):
        note: str | None

    assert _problems(NoteRequired) == ["note: became required"]


def test_new_required_field_breaks() -> None:
    class WithColour(Committed):
        colour: str

    assert _problems(WithColour) == ["colour: new required field"]


def test_narrowed_enum_breaks() -> None:
    class SmallOnly(StrEnum):
        SMALL = "small"

    class Narrowed(Committed):
        kind: SmallOnly  # type: ignore[assignment]

    assert _problems(Narrowed) == ["kind: enum narrowed: ['large'] removed"]


def test_widened_enum_breaks_consumers_on_the_committed_schema() -> None:
    class WithHuge(StrEnum):
        SMALL = "small"
        LARGE = "large"
        HUGE = "huge"

    class Widened(Committed):
        kind: WithHuge  # type: ignore[assignment]

    problems = _problems(Widened)

    assert len(problems) == 1
    assert problems[0].startswith("kind: enum widened: ['huge'] added")


def test_field_that_became_nullable_breaks() -> None:
    class NullableCount(Committed):
        count: int | None  # type: ignore[assignment]

    assert _problems(NullableCount) == [
        "count: became nullable: consumers on the committed schema reject null"
    ]


def test_changed_constraint_breaks() -> None:
    class Text(Message):
        message_type: ClassVar[str] = "test.text"
        routing_key: ClassVar[str] = "test.text.written"
        text: str

    class ShortText(Text):
        text: str = Field(max_length=10)

    problems = breaking_changes(message_schema(Text), message_schema(ShortText))

    assert problems == ["text: maxLength changed from None to 10"]


def test_change_inside_a_referenced_model_breaks_with_its_path() -> None:
    class OtherMoney(Money):
        currency: int  # type: ignore[assignment]

    class PricedInNumbers(Committed):
        price: OtherMoney

    assert _problems(PricedInNumbers) == ["price.currency: retyped from string to integer"]


def test_change_inside_a_list_of_referenced_models_breaks() -> None:
    class Basket(Message):
        message_type: ClassVar[str] = "test.basket"
        routing_key: ClassVar[str] = "test.basket.filled"
        items: list[Money]

    class Item(Money):
        label: str

    class LabelledBasket(Basket):
        items: list[Item]  # type: ignore[assignment]

    problems = breaking_changes(message_schema(Basket), message_schema(LabelledBasket))

    assert problems == ["items[].label: new required field"]


def test_changed_routing_key_breaks() -> None:
    class Rerouted(Committed):
        routing_key: ClassVar[str] = "test.thing.occurred"

    assert _problems(Rerouted) == [
        "<message>: x-routing-key changed from 'test.thing.happened' to 'test.thing.occurred'"
    ]


def test_recursive_model_is_compared_without_looping() -> None:
    class Node(Message):
        message_type: ClassVar[str] = "test.node"
        routing_key: ClassVar[str] = "test.node.grown"
        name: str
        child: Node | None = None

    class Renamed(Message):
        message_type: ClassVar[str] = "test.node"
        routing_key: ClassVar[str] = "test.node.grown"
        label: str
        child: Renamed | None = None

    assert is_compatible(message_schema(Node), message_schema(Node))
    assert breaking_changes(message_schema(Node), message_schema(Renamed)) == [
        "name: removed",
        "label: new required field",
    ]


def test_checker_works_on_plain_schema_dicts() -> None:
    committed = {
        "type": "object",
        "properties": {"status": {"type": ["string", "null"], "enum": ["a", "b", None]}},
        "required": ["status"],
    }
    current = {
        "type": "object",
        "properties": {"status": {"anyOf": [{"$ref": "#/$defs/S"}, {"type": "null"}]}},
        "required": ["status"],
        "$defs": {"S": {"type": "string", "enum": ["a"]}},
    }

    assert breaking_changes(committed, current) == ["status: enum narrowed: ['b'] removed"]
