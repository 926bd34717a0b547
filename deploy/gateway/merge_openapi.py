"""One OpenAPI document for the whole public API, merged from each service's own /openapi.json.

`python -m deploy.gateway.merge_openapi --out .run/gateway/openapi.json \
    --service identity=http://127.0.0.1:8001 --service catalog=http://127.0.0.1:8002 ...`

A path is kept when the gateway routes it (the routes are read from nginx.conf.template, so the
document cannot drift from the config) and only when it routes to the service that declares it;
a path the gateway sends elsewhere is a conflict and fails the merge. Component names that two
services define differently are prefixed with the service's name. Standard library only.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
# A location's body may hold the renderer's placeholders (`burst=${BOOKING_BURST}`), whose
# braces are not blocks.
# A body may hold quoted strings with braces (a JSON answer) and ${PLACEHOLDERS}.
LOCATION = re.compile(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{((?:'[^']*'|[^{}']|\$\{\w+\})*)\}")
PROXY_PASS = re.compile(r"proxy_pass\s+http://(\w+)\s*;")
LIMIT_REQ = re.compile(r"^\s*limit_req\s", re.MULTILINE)
REF_PREFIX = "#/components/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
SAFE_METHODS = ("get", "head", "options")

Document = dict[str, Any]


class MergeConflict(ValueError):
    """Two services claim the same path, or a service declares a path routed elsewhere."""


@dataclass(frozen=True)
class Location:
    modifier: str  # "=", "~", "^~" or "" (prefix)
    pattern: str
    service: str | None  # None: answered by the gateway itself
    rate_limited: bool = False


def gateway_locations(template: str) -> list[Location]:
    """The gateway's locations in file order, with the upstream each proxies to."""
    found = []
    for modifier, pattern, body in LOCATION.findall(template):
        upstream = PROXY_PASS.search(body)
        found.append(
            Location(
                modifier,
                pattern,
                upstream.group(1) if upstream else None,
                rate_limited=bool(LIMIT_REQ.search(body)),
            )
        )
    return found


def location_of(path: str, locations: Sequence[Location]) -> Location | None:
    """The location nginx picks for this path, by nginx's own rules of location selection."""
    for location in locations:
        if location.modifier == "=" and location.pattern == path:
            return location
    prefixes = [
        loc for loc in locations if loc.modifier in ("", "^~") and path.startswith(loc.pattern)
    ]
    longest = max(prefixes, key=lambda loc: len(loc.pattern), default=None)
    if longest is not None and longest.modifier == "^~":
        return longest
    for location in locations:
        if location.modifier == "~" and re.search(location.pattern, path):
            return location
    return longest


def route_of(path: str, locations: Sequence[Location]) -> str | None:
    """The service nginx sends this path to."""
    location = location_of(path, locations)
    return location.service if location else None


def _gateway_answers(operations: Document, location: Location) -> Document:
    """The operations with the gateway's own problems added: 413 for a body over the
    gateway's size limit, 429 where the location is rate limited (only changes count)."""
    described = copy.deepcopy(operations)
    problem = {"schema": {"$ref": f"{REF_PREFIX}schemas/Problem"}}
    for method, operation in described.items():
        responses = operation.setdefault("responses", {})
        added = []
        if "requestBody" in operation:
            added.append(("413", "The request body is larger than the gateway accepts."))
        if location.rate_limited and method not in SAFE_METHODS:
            added.append(("429", "Rate limit exceeded; retry after Retry-After seconds."))
        for status, description in added:
            responses.setdefault(status, {"description": description})
            responses[status]["content"] = {PROBLEM_MEDIA_TYPE: problem}
        operation["responses"] = dict(sorted(responses.items()))
    return described


def _rename_refs(node: Any, renames: Mapping[str, str]) -> Any:
    """Rewrite `$ref`s, and security requirements, which name their scheme without a ref."""
    if isinstance(node, dict):
        return {
            key: renames.get(value, value)
            if key == "$ref"
            else _rename_schemes(value, renames)
            if key == "security"
            else _rename_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def _rename_schemes(requirements: list[Document], renames: Mapping[str, str]) -> list[Document]:
    prefix = f"{REF_PREFIX}securitySchemes/"
    return [
        {renames.get(prefix + name, prefix + name).removeprefix(prefix): scopes
         for name, scopes in requirement.items()}
        for requirement in requirements
    ]  # fmt: skip


def _prefixed_components(service: str, document: Document, taken: Document) -> Document:
    """The service's document with clashing component names prefixed (refs rewritten)."""
    renames: dict[str, str] = {}
    for section, entries in document.get("components", {}).items():
        for name, definition in entries.items():
            existing = taken.get(section, {}).get(name)
            if existing is not None and existing != definition:
                new_name = f"{service.capitalize()}{name}"
                renames[f"{REF_PREFIX}{section}/{name}"] = f"{REF_PREFIX}{section}/{new_name}"
    if not renames:
        return document
    renamed: Document = _rename_refs(copy.deepcopy(document), renames)
    for old, new in renames.items():
        section, name = old.removeprefix(REF_PREFIX).split("/")
        renamed["components"][section][new.rsplit("/", 1)[1]] = renamed["components"][section].pop(
            name
        )
    return renamed


def merge(
    documents: Mapping[str, Document],
    locations: Sequence[Location],
    *,
    title: str = "OneTime Studios API",
    version: str = "1",
) -> Document:
    """Merge the services' documents (service name -> document) into one public document."""
    paths: dict[str, Any] = {}
    owners: dict[str, str] = {}
    components: Document = {}
    tags: dict[str, Any] = {}
    for service, original in sorted(documents.items()):
        document = _prefixed_components(service, original, components)
        for path, operations in document.get("paths", {}).items():
            location = location_of(path, locations)
            routed_to = location.service if location else None
            if location is None or routed_to is None:
                continue  # not public: /healthz, /readyz, /metrics
            if routed_to != service:
                raise MergeConflict(
                    f"{service} declares {path}, but the gateway routes it to {routed_to}"
                )
            if path in owners:
                raise MergeConflict(f"{path} is declared by both {owners[path]} and {service}")
            owners[path] = service
            paths[path] = _gateway_answers(operations, location)
        for section, entries in document.get("components", {}).items():
            components.setdefault(section, {}).update(entries)
        for tag in document.get("tags", []):
            tags.setdefault(tag["name"], tag)
    merged: Document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": dict(sorted(paths.items())),
        "components": components,
    }
    if tags:
        merged["tags"] = list(tags.values())
    return merged


def fetch(base_url: str, timeout: float = 30) -> Document:
    """GET <base_url>/openapi.json, retrying while the service starts."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/openapi.json", timeout=5) as response:
                document: Document = json.load(response)
                return document
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _service(text: str) -> tuple[str, str]:
    name, sep, url = text.partition("=")
    if not sep or not url:
        raise argparse.ArgumentTypeError(f"expected <service>=<base url>, got {text!r}")
    return name, url.rstrip("/")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--service", type=_service, action="append", default=[], required=True)
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait per service")
    args = parser.parse_args(argv)
    documents = {name: fetch(url, args.timeout) for name, url in args.service}
    merged = merge(documents, gateway_locations(TEMPLATE.read_text()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=2) + "\n")
    print(f"{args.out}: {len(merged['paths'])} paths from {', '.join(sorted(documents))}")


if __name__ == "__main__":
    main()
