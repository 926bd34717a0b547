"""Form-encoded parameters in Stripe's bracket notation, read with Stripe's validation errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from stripe_standin.errors import InvalidRequestError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def decode_form(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Turn `metadata[booking_id]=b1&expand[0]=x` pairs into nested dicts and lists."""
    root: dict[str, Any] = {}
    for raw_key, value in items:
        match = _KEY.match(raw_key)
        if match is None:
            raise InvalidRequestError(f"Invalid parameter name: {raw_key}", param=raw_key)
        path = [match.group(1), *_SEGMENT.findall(match.group(2))]
        node = root
        for part in path[:-1]:
            child = node.setdefault(part or str(len(node)), {})
            if not isinstance(child, dict):
                raise InvalidRequestError(f"Invalid parameter: {raw_key}", param=raw_key)
            node = child
        node[path[-1] or str(len(node))] = value
    listified = _listify(root)
    assert isinstance(listified, dict)
    return listified


def _listify(node: Any) -> Any:
    # Arrays arrive as `expand[0]=a&expand[1]=b` (SDK) or `expand[]=a` (curl): both are lists.
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


@dataclass(frozen=True)
class RequestRef:
    """The API request that caused an event, as shown in `event.request`."""

    id: str | None = None
    idempotency_key: str | None = None


class Params:
    """One request's parameters; reading marks them known so leftovers are rejected like Stripe."""

    def __init__(self, values: dict[str, Any], request: RequestRef | None = None) -> None:
        self.values = values
        self.request = request or RequestRef()
        self._read: set[str] = set()

    def _raw(self, name: str) -> Any:
        self._read.add(name)
        return self.values.get(name)

    def string(self, name: str, *, choices: Iterable[str] | None = None) -> str | None:
        """An optional string; an empty string counts as unset."""
        value = self._raw(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise InvalidRequestError(f"Invalid string: {name}", param=name)
        allowed = list(choices or [])
        if allowed and value not in allowed:
            raise InvalidRequestError(
                f"Invalid {name}: must be one of {', '.join(allowed)}",
                code="parameter_invalid_string",
                param=name,
            )
        return value

    def require_string(self, name: str, *, choices: Iterable[str] | None = None) -> str:
        """A string the call cannot go without."""
        value = self.string(name, choices=choices)
        if value is None:
            raise _missing(name)
        return value

    def integer(self, name: str, *, minimum: int = 1) -> int | None:
        """An optional integer (amounts are integer minor units)."""
        value = self._raw(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
            raise InvalidRequestError(
                f"Invalid integer: {value}", code="parameter_invalid_integer", param=name
            )
        number = int(value)
        if number < minimum:
            raise InvalidRequestError(
                f"This value must be greater than or equal to {minimum}.",
                code="parameter_invalid_integer",
                param=name,
            )
        return number

    def require_integer(self, name: str, *, minimum: int = 1) -> int:
        """An integer the call cannot go without."""
        value = self.integer(name, minimum=minimum)
        if value is None:
            raise _missing(name)
        return value

    def boolean(self, name: str) -> bool | None:
        """An optional `true`/`false`."""
        value = self._raw(name)
        if value is None or value == "":
            return None
        if value not in ("true", "false"):
            raise InvalidRequestError(f"Invalid boolean: {value}", param=name)
        return bool(value == "true")

    def mapping(self, name: str) -> dict[str, Any]:
        """A nested hash such as `capabilities[transfers][requested]`."""
        value = self._raw(name)
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise InvalidRequestError(f"Invalid object: {name}", param=name)
        return value

    def metadata(self) -> dict[str, str]:
        """`metadata[key]=value` pairs; an empty value unsets the key, as in Stripe."""
        pairs = self.mapping("metadata")
        if any(not isinstance(value, str) for value in pairs.values()):
            raise InvalidRequestError("Invalid metadata: values must be strings", param="metadata")
        return {key: value for key, value in pairs.items() if value != ""}

    def string_list(self, name: str) -> list[str]:
        """`name[0]=a&name[1]=b` (or a single value) as a list of strings."""
        value = self._raw(name)
        if value is None or value == "":
            return []
        items = value if isinstance(value, list) else [value]
        if any(not isinstance(item, str) for item in items):
            raise InvalidRequestError(f"Invalid array: {name}", param=name)
        return list(items)

    def reject_unknown(self) -> None:
        """Fail on parameters nobody read, as Stripe rejects unknown ones."""
        unknown = sorted(set(self.values) - self._read)
        if unknown:
            raise InvalidRequestError(
                f"Received unknown parameter: {unknown[0]}",
                code="parameter_unknown",
                param=unknown[0],
            )


def _missing(name: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Missing required param: {name}.", code="parameter_missing", param=name
    )
