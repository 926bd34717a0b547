"""The committed JSON Schemas of the messages, kept in contracts/schemas/ for compatibility tests.

    python -m contracts.schemas write [--force] [--dir DIR]   regenerate every schema file
    python -m contracts.schemas check [--dir DIR]             exit 1 listing files that differ

One file per message and schema version, `<message_type>.v<schema_version>.json`, holding the
payload's schema from `model_json_schema()` plus its message type, routing key and version, and
`envelope.json`. `write` refuses to overwrite a committed schema with a breaking change
(contracts.compat) under the same schema_version: bump the message's schema_version instead,
or pass --force when the committed schema was never released.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contracts.compat import breaking_changes
from contracts.envelope import Envelope, Message
from contracts.registry import all_messages

ENVELOPE_FILE = "envelope.json"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""contracts/schemas/ of the source tree (the package is installed editable in the workspace)."""

JsonSchema = dict[str, Any]


def message_schema(message: type[Message]) -> JsonSchema:
    """The JSON Schema of a message's payload, annotated with its type, routing key and version."""
    return {
        **message.model_json_schema(),
        "x-message-type": message.message_type,
        "x-routing-key": message.routing_key,
        "x-schema-version": message.schema_version,
    }


def schema_file_name(message: type[Message]) -> str:
    """Where a message's schema is committed, relative to the schema directory."""
    return f"{message.message_type}.v{message.schema_version}.json"


def expected_schemas() -> dict[str, JsonSchema]:
    """Every schema file the models call for, by file name."""
    schemas = {
        schema_file_name(message): message_schema(message) for message in all_messages().values()
    }
    schemas[ENVELOPE_FILE] = Envelope.model_json_schema()
    return schemas


def committed_schemas(directory: Path = SCHEMA_DIR) -> dict[str, JsonSchema]:
    """Every schema file in the directory, by file name."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def render(schema: JsonSchema) -> str:
    """A schema as committed: indented JSON, fields in model order, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def differences(directory: Path = SCHEMA_DIR) -> list[str]:
    """What differs between the committed files and the models, one readable line each."""
    expected, committed = expected_schemas(), committed_schemas(directory)
    found: list[str] = []
    for name in sorted(expected.keys() - committed.keys()):
        found.append(f"missing: {name} (no committed schema for this message version)")
    for name in sorted(committed.keys() - expected.keys()):
        found.append(f"stale: {name} (no message of this type and version)")
    for name in sorted(expected.keys() & committed.keys()):
        if expected[name] != committed[name]:
            problems = breaking_changes(committed[name], expected[name])
            kind = "BREAKING" if problems else "compatible"
            found.append(f"changed ({kind}): {name}")
            found.extend(f"    {problem}" for problem in problems)
    return found


def write(directory: Path = SCHEMA_DIR, *, force: bool = False) -> list[str]:
    """Write every expected schema and remove stale files; returns breaking changes refused."""
    directory.mkdir(parents=True, exist_ok=True)
    expected, committed = expected_schemas(), committed_schemas(directory)
    refused: list[str] = []
    for name, schema in expected.items():
        problems = breaking_changes(committed[name], schema) if name in committed else []
        if problems and not force:
            refused.append(f"{name}: breaking change, bump schema_version or pass --force")
            refused.extend(f"    {problem}" for problem in problems)
            continue
        (directory / name).write_text(render(schema), encoding="utf-8")
    for name in committed.keys() - expected.keys():
        (directory / name).unlink()
    return refused


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry: `write` or `check`; the exit code says whether all is well."""
    parser = argparse.ArgumentParser(prog="python -m contracts.schemas", description=__doc__)
    parser.add_argument("command", choices=("write", "check"))
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="the schema directory")
    parser.add_argument("--force", action="store_true", help="write breaking changes too")
    arguments = parser.parse_args(argv)
    if arguments.command == "write":
        refused = write(arguments.dir, force=arguments.force)
        for line in refused:
            print(line, file=sys.stderr)
        return 1 if refused else 0
    found = differences(arguments.dir)
    if not found:
        print(f"{len(expected_schemas())} schemas in {arguments.dir} match the models")
        return 0
    print(f"schemas in {arguments.dir} differ from the models:", file=sys.stderr)
    for line in found:
        print(f"  {line}", file=sys.stderr)
    print("run `uv run python -m contracts.schemas write` to regenerate them", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
