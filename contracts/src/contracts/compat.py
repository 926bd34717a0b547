"""Whether a message's current JSON Schema may replace its committed one under the same version.

Pure functions over JSON Schema dicts as pydantic writes them ($defs and $ref, anyOf with
null for optional values, enum and const). Compatibility is judged both ways, because in a
rolling deploy old and new code meet on the bus: a consumer still on the committed schema
must accept what the new model produces, and the new model must accept messages produced
under the committed schema (in flight, in an outbox, in a dead-letter queue). So these are
breaking: a removed field, a retyped field, a field that became required, a new required
field, a narrowed or widened enum, a field that became or stopped being nullable, a changed
constraint (pattern, minimum, format...), a changed routing key. Adding an optional field is
not: consumers ignore fields they do not know. Titles, descriptions and defaults are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Schema = Mapping[str, Any]

_CONSTRAINTS = (
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
_MESSAGE_KEYS = ("x-message-type", "x-routing-key", "x-schema-version")


def breaking_changes(committed: Schema, current: Schema) -> list[str]:
    """What in `current` would break a producer or consumer still on `committed`; [] if nothing."""
    walk = _Walk(committed, current)
    for key in _MESSAGE_KEYS:
        if key in committed and key in current and committed[key] != current[key]:
            walk.report("", f"{key} changed from {committed[key]!r} to {current[key]!r}")
    walk.compare(committed, current, "")
    return walk.problems


def is_compatible(committed: Schema, current: Schema) -> bool:
    """Whether `current` can replace `committed` without a new schema_version."""
    return not breaking_changes(committed, current)


@dataclass
class _Walk:
    old_root: Schema
    new_root: Schema
    problems: list[str] = field(default_factory=list)
    active: set[tuple[str, str]] = field(default_factory=set)

    def report(self, path: str, problem: str) -> None:
        self.problems.append(f"{path or '<message>'}: {problem}")

    def compare(self, old_node: Schema, new_node: Schema, path: str) -> None:
        old, old_nullable, old_ref = _normalize(old_node, self.old_root)
        new, new_nullable, new_ref = _normalize(new_node, self.new_root)
        if old_ref is None or new_ref is None:
            self._compare_normalized(old, old_nullable, new, new_nullable, path)
            return
        if (old_ref, new_ref) in self.active:  # a recursive model, compared further up
            return
        self.active.add((old_ref, new_ref))
        try:
            self._compare_normalized(old, old_nullable, new, new_nullable, path)
        finally:
            self.active.discard((old_ref, new_ref))

    def _compare_normalized(
        self, old: Schema, old_nullable: bool, new: Schema, new_nullable: bool, path: str
    ) -> None:
        if new_nullable and not old_nullable:
            self.report(path, "became nullable: consumers on the committed schema reject null")
        if old_nullable and not new_nullable:
            self.report(path, "is no longer nullable: committed messages may carry null")
        if self._compare_enums(old, new, path):
            return
        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            self.report(path, f"retyped from {_describe(old_types)} to {_describe(new_types)}")
            return
        for key in _CONSTRAINTS:
            if old.get(key) != new.get(key):
                self.report(path, f"{key} changed from {old.get(key)!r} to {new.get(key)!r}")
        self._compare_unions(old, new, path)
        self._compare_objects(old, new, path)
        self._compare_arrays(old, new, path)

    def _compare_enums(self, old: Schema, new: Schema, path: str) -> bool:
        old_values, new_values = _enum_values(old), _enum_values(new)
        if old_values is None and new_values is None:
            return False
        if old_values is None or new_values is None:
            before = "any value" if old_values is None else f"enum {sorted(old_values, key=str)}"
            after = "any value" if new_values is None else f"enum {sorted(new_values, key=str)}"
            self.report(path, f"retyped from {before} to {after}")
            return True
        removed, added = old_values - new_values, new_values - old_values
        if removed:
            self.report(path, f"enum narrowed: {sorted(removed, key=str)} removed")
        if added:
            self.report(
                path,
                f"enum widened: {sorted(added, key=str)} added, "
                "which consumers on the committed schema reject",
            )
        return True

    def _compare_unions(self, old: Schema, new: Schema, path: str) -> None:
        old_branches, new_branches = old.get("anyOf"), new.get("anyOf")
        if old_branches is None and new_branches is None:
            return
        if old_branches is None or new_branches is None or len(old_branches) != len(new_branches):
            self.report(path, "union changed")
            return
        for index, (old_branch, new_branch) in enumerate(
            zip(old_branches, new_branches, strict=True)
        ):
            self.compare(old_branch, new_branch, f"{path}|{index}")

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> None:
        old_properties: Schema = old.get("properties", {})
        new_properties: Schema = new.get("properties", {})
        for name, old_property in old_properties.items():
            if name not in new_properties:
                self.report(_join(path, name), "removed")
            else:
                self.compare(old_property, new_properties[name], _join(path, name))
        old_required = set(old.get("required", ()))
        for name in new.get("required", ()):
            if name in old_required:
                continue
            if name in old_properties:
                self.report(_join(path, name), "became required")
            else:
                self.report(_join(path, name), "new required field")
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
            self.compare(old_extra, new_extra, _join(path, "{*}"))
        elif isinstance(old_extra, Mapping) != isinstance(new_extra, Mapping):
            self.report(_join(path, "{*}"), "value type changed")

    def _compare_arrays(self, old: Schema, new: Schema, path: str) -> None:
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            self.compare(old_items, new_items, f"{path}[]")
        elif isinstance(old_items, Mapping) != isinstance(new_items, Mapping):
            self.report(f"{path}[]", "item type changed")
        old_prefix, new_prefix = old.get("prefixItems", []), new.get("prefixItems", [])
        if len(old_prefix) != len(new_prefix):
            self.report(path, f"tuple length changed from {len(old_prefix)} to {len(new_prefix)}")
            return
        for index, (old_item, new_item) in enumerate(zip(old_prefix, new_prefix, strict=True)):
            self.compare(old_item, new_item, f"{path}[{index}]")


def resolve(node: Schema, root: Schema) -> Schema:
    """The node with its $ref (and a lone allOf wrapper around a $ref) replaced by the target."""
    return _resolve(node, root)[0]


def _resolve(node: Schema, root: Schema) -> tuple[Schema, str | None]:
    first_ref: str | None = None
    seen: set[str] = set()
    while True:
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"$ref cycle at {ref}")
            seen.add(ref)
            first_ref = first_ref or ref
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            node = {**_pointer(root, ref), **siblings}
        elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
            siblings = {key: value for key, value in node.items() if key != "allOf"}
            node = {**node["allOf"][0], **siblings}
        else:
            return node, first_ref


def _normalize(node: Schema, root: Schema) -> tuple[Schema, bool, str | None]:
    """Resolve refs and take null out: (the non-null schema, whether null is allowed, its $ref)."""
    node, ref = _resolve(node, root)
    nullable = False
    for key in ("anyOf", "oneOf"):
        if key not in node:
            continue
        branches = [resolve(branch, root) for branch in node[key]]
        non_null = [branch for branch in node[key] if resolve(branch, root).get("type") != "null"]
        nullable = len(non_null) < len(branches)
        rest = {name: value for name, value in node.items() if name != key}
        if len(non_null) == 1:
            inner, inner_nullable, inner_ref = _normalize({**non_null[0], **rest}, root)
            return inner, nullable or inner_nullable, ref or inner_ref
        node = {**rest, "anyOf": non_null}
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        remaining = [name for name in types if name != "null"]
        node = {**node, "type": remaining[0] if len(remaining) == 1 else remaining}
        nullable = True
    values = node.get("enum")
    if isinstance(values, list) and None in values:
        node = {**node, "enum": [value for value in values if value is not None]}
        nullable = True
    return node, nullable, ref


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref are supported, not {ref!r}")
    node: Any = root
    for part in ref[1:].split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    if not isinstance(node, Mapping):
        raise ValueError(f"$ref {ref!r} does not point at a schema")
    return node


def _enum_values(node: Schema) -> frozenset[Any] | None:
    if "const" in node:
        return frozenset([node["const"]])
    if "enum" in node:
        return frozenset(node["enum"])
    return None


def _types(node: Schema) -> frozenset[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return frozenset([declared])
    if isinstance(declared, list):
        return frozenset(declared)
    if "properties" in node:
        return frozenset(["object"])
    return frozenset()


def _describe(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
