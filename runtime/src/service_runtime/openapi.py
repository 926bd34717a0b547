"""A service's OpenAPI document, true to what it answers.

FastAPI's generated document says errors are `application/json` with its own validation shape,
marks a route as needing a token whenever a bearer scheme appears in its dependencies (even one
that only reads an optional token), and declares `format: time` for local wall-clock times that
are served without the offset RFC 3339 requires. `install_openapi` rewrites the document once:
every error is `application/problem+json` with a `Problem` schema, security says which routes
need a token (`current_principal`), which take one optionally and which are public, and the
statuses a route can answer are listed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPBearer

from service_runtime.auth import current_principal
from service_runtime.problems import PROBLEM_MEDIA_TYPE

Document = dict[str, Any]

BEARER_SCHEME = "bearerAuth"
PROBLEM_REF = "#/components/schemas/Problem"
VALIDATION_PROBLEM_REF = "#/components/schemas/ValidationProblem"
# Weekly rules are local wall-clock times: served as HH:MM:SS, taken as HH:MM[:SS], no offset.
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"

PROBLEM_SCHEMAS: Document = {
    "Problem": {
        "title": "Problem",
        "description": "An RFC 9457 problem: every error any service or the gateway answers.",
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "request_id": {"type": "string"},
        },
    },
    "ValidationProblem": {
        "title": "ValidationProblem",
        "description": (
            "A 422 problem; `errors` names each field when the request's shape was refused "
            "(a rule across fields, such as `to` after `from`, says so in `detail`)."
        ),
        "allOf": [
            {"$ref": PROBLEM_REF},
            {
                "type": "object",
                "properties": {
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["field", "message"],
                            "properties": {
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    }
                },
            },
        ],
    },
}
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI, domain_statuses: Iterable[int] = ()) -> None:
    """Serve `/openapi.json` rewritten as the module says; `domain_statuses` are the statuses
    the service maps its domain errors to (each route may answer them)."""
    statuses = frozenset(domain_statuses)
    generate = app.openapi

    def openapi() -> Document:
        if app.openapi_schema is None:
            document = copy.deepcopy(generate())
            app.openapi_schema = describe(document, access_by_operation(app), statuses)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def access_by_operation(app: FastAPI) -> dict[tuple[str, str], str]:
    """(path, method) -> "token" (required), "optional" (read when sent) or "public"."""
    access: dict[tuple[str, str], str] = {}
    # Routes of included routers are resolved as FastAPI's own document generation does.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or route.path_format is None:
            continue
        calls = set(_calls(route.dependant))
        if current_principal in calls:
            kind = "token"
        elif any(isinstance(call, HTTPBearer) for call in calls):
            kind = "optional"
        else:
            kind = "public"
        for method in route.methods or ():
            access[(route.path_format, method.lower())] = kind
    return access


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def describe(
    document: Document, access: dict[tuple[str, str], str], domain_statuses: frozenset[int]
) -> Document:
    """The generated document with problems, security and statuses made true."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(copy.deepcopy(PROBLEM_SCHEMAS))
    components["securitySchemes"] = {
        BEARER_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from identity (or Clerk).",
        }
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            kind = access.get((path, method), "public")
            _describe_access(operation, kind)
            _describe_errors(operation, method, kind, domain_statuses)
    _local_times(document)
    return document


def _describe_access(operation: Document, kind: str) -> None:
    operation["security"] = {
        "token": [{BEARER_SCHEME: []}],
        "optional": [{}, {BEARER_SCHEME: []}],
        "public": [],
    }[kind]


def _describe_errors(
    operation: Document, method: str, kind: str, domain_statuses: frozenset[int]
) -> None:
    responses: Document = operation.setdefault("responses", {})
    statuses = {int(status) for status in responses if status.isdigit() and int(status) >= 400}
    if kind != "public":
        statuses.add(401)  # no token, or one that does not verify
    if kind == "token":
        statuses.add(403)  # a role or an object that is not the caller's
    headers = [p for p in operation.get("parameters", []) if p.get("in") == "header"]
    if operation.get("requestBody") or headers:
        statuses.add(400)  # a body that is not JSON, a header that does not parse
    if kind != "public" or operation.get("parameters") or operation.get("requestBody"):
        # What the caller names may be missing, not theirs or refused; a read never conflicts.
        statuses |= {s for s in domain_statuses if s != 409 or method not in ("get", "head")}
    for status in sorted(statuses):
        entry = responses.setdefault(str(status), {})
        entry.setdefault("description", HTTPStatus(status).phrase)
        ref = VALIDATION_PROBLEM_REF if status == 422 else PROBLEM_REF
        entry["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": ref}}}
    operation["responses"] = dict(sorted(responses.items()))


def _local_times(node: Any) -> None:
    """`format: time` is RFC 3339's full-time (offset required); ours are local, so a pattern."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node["pattern"] = LOCAL_TIME_PATTERN
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for item in node:
            _local_times(item)
