"""The gateway's one OpenAPI document, merged from the services' own documents."""

from __future__ import annotations

import asyncio
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from deploy.gateway.merge_openapi import (
    TEMPLATE,
    MergeConflict,
    gateway_locations,
    main,
    merge,
    route_of,
)
from scripts.system import SERVICE_NAMES
from tests.fixtures.infra import free_port, serving

LOCATIONS = gateway_locations(TEMPLATE.read_text())
INTERNAL_PATHS = {"/healthz", "/readyz", "/metrics"}
# Everything anyone may call without a token; the studio page reads one when sent (an owner
# sees their own drafts). Every other operation needs a token.
PUBLIC = {
    ("get", "/.well-known/jwks.json"),
    ("get", "/api/auth/jwks.json"),
    ("post", "/api/auth/sign-up"),
    ("post", "/api/auth/sign-in"),
    ("post", "/api/auth/refresh"),  # the refresh token in the body is the credential
    ("post", "/api/auth/sign-out"),
    ("post", "/api/auth/email-verification/confirm"),  # the link's token is the credential
    ("post", "/api/auth/password-reset"),
    ("post", "/api/auth/password-reset/confirm"),
    ("get", "/api/studios"),
    ("get", "/api/availability"),
    ("get", "/api/bookings/quote"),  # a price is public, like the studio's hourly price
    ("post", "/api/bookings/quote"),  # the same quote for a JSON body
    ("get", "/api/bookings/cancellation-policies"),  # as the studio's page shows them
    ("get", "/api/availability/feeds/{secret}.ics"),  # the secret in the address is the credential
    ("post", "/api/webhooks/stripe"),
    ("post", "/api/webhooks/clerk"),
}
# A token only widens what is seen: a draft's page and reviews, to its owner and admins.
TOKEN_OPTIONAL = {("get", "/api/studios/{id_or_slug}"), ("get", "/api/studios/{studio_id}/reviews")}


def document(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "service", "version": "0"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(schema: str) -> dict[str, Any]:
    content = {"application/json": {"schema": ref(schema)}}
    return {"get": {"responses": {"200": {"content": content}}}}


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/auth/sign-in", "identity"),
        ("/.well-known/jwks.json", "identity"),
        ("/api/studios", "catalog"),
        ("/api/owner/studios/{studio_id}", "catalog"),
        ("/api/owner/studios/{studio_id}/calendar", "availability"),
        ("/api/availability/studios/{studio_id}/rules", "availability"),
        ("/api/bookings", "booking"),
        ("/api/bookings/{booking_id}", "booking"),
        ("/api/bookings/quote", "booking"),
        ("/api/bookings/{booking_id}/cancellation", "booking"),
        ("/api/payments/owner/summary", "payments"),
        ("/api/notifications/preferences", "notifications"),
        ("/api/auth/sign-up", "identity"),
        ("/api/auth/refresh", "identity"),
        ("/api/auth/sign-out", "identity"),
        ("/api/admin/users", "identity"),
        ("/api/admin/bookings/{booking_id}/timeline", "booking"),
        ("/api/webhooks/stripe", "payments"),
        ("/api/webhooks/clerk", "identity"),
        ("/healthz", None),
        ("/metrics", None),
        ("/api/studiosx", None),
    ],
)
def test_routes_are_read_from_the_nginx_template(path: str, service: str | None) -> None:
    assert route_of(path, LOCATIONS) == service


def test_paths_and_components_of_all_services_are_merged() -> None:
    identity = document({"/api/users/me": operation("User")}, {"User": {"type": "object"}})
    catalog = document({"/api/studios": operation("Studio")}, {"Studio": {"type": "object"}})

    merged = merge({"identity": identity, "catalog": catalog}, LOCATIONS)

    assert list(merged["paths"]) == ["/api/studios", "/api/users/me"]
    assert set(merged["components"]["schemas"]) == {"User", "Studio"}
    assert merged["info"]["title"] == "OneTime Studios API"


def test_internal_paths_are_left_out() -> None:
    catalog = document({"/api/studios": operation("S"), "/readyz": {}, "/metrics": {}})

    merged = merge({"catalog": catalog}, LOCATIONS)

    assert list(merged["paths"]) == ["/api/studios"]


def test_identical_components_are_shared_and_different_ones_prefixed() -> None:
    shared = {"HTTPValidationError": {"type": "object"}}
    booking = document(
        {"/api/bookings": operation("Studio")}, {**shared, "Studio": {"title": "booking's"}}
    )
    catalog = document(
        {"/api/studios": operation("Studio")}, {**shared, "Studio": {"title": "catalog's"}}
    )

    merged = merge({"catalog": catalog, "booking": booking}, LOCATIONS)

    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"HTTPValidationError", "Studio", "CatalogStudio"}
    assert schemas["Studio"] == {"title": "booking's"}
    assert schemas["CatalogStudio"] == {"title": "catalog's"}
    catalog_schema = merged["paths"]["/api/studios"]["get"]["responses"]["200"]["content"]
    assert catalog_schema["application/json"]["schema"] == ref("CatalogStudio")


def test_a_path_the_gateway_routes_elsewhere_is_a_conflict() -> None:
    booking = document({"/api/studios/{studio_id}": operation("S")})

    with pytest.raises(MergeConflict, match="routes it to catalog"):
        merge({"booking": booking}, LOCATIONS)


async def test_the_command_fetches_each_service_and_writes_one_document(tmp_path: Path) -> None:
    catalog = FastAPI(title="catalog")

    @catalog.get("/api/studios")
    async def search() -> list[str]:
        return []

    out = tmp_path / "openapi.json"
    async with serving(catalog, free_port()) as url:
        await asyncio.to_thread(main, ["--out", str(out), "--service", f"catalog={url}"])

    merged = json.loads(out.read_text())
    assert list(merged["paths"]) == ["/api/studios"]
    assert merged["openapi"] == "3.1.0"


@pytest.fixture(scope="module")
def service_documents() -> dict[str, Any]:
    """Each real service's own document (building an app connects to nothing)."""
    return {
        name: importlib.import_module(f"{name}.app").create_app().openapi()
        for name in SERVICE_NAMES
    }


@pytest.fixture(scope="module")
def published(service_documents: dict[str, Any]) -> dict[str, Any]:
    return merge(service_documents, LOCATIONS)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_a_location_with_a_placeholder_in_its_body_is_read() -> None:
    [bookings] = [
        loc for loc in LOCATIONS if loc.modifier == "=" and loc.pattern == "/api/bookings"
    ]

    assert bookings.service == "booking"
    assert bookings.rate_limited


def test_every_public_route_of_every_service_is_published(
    service_documents: dict[str, Any], published: dict[str, Any]
) -> None:
    declared = {
        (method, path)
        for document in service_documents.values()
        for method, path, _ in operations(document)
        if path not in INTERNAL_PATHS
    }

    assert {(method, path) for method, path, _ in operations(published)} == declared
    assert {"get", "post"} <= set(published["paths"]["/api/bookings"])


def test_only_the_public_routes_go_without_a_token(published: dict[str, Any]) -> None:
    security = {(method, path): op["security"] for method, path, op in operations(published)}
    bearer = [{"bearerAuth": []}]

    assert {key for key, required in security.items() if required == []} == PUBLIC
    assert {key for key, required in security.items() if required == [{}, *bearer]} == (
        TOKEN_OPTIONAL
    )
    assert all(security[key] == bearer for key in security.keys() - PUBLIC - TOKEN_OPTIONAL)
    assert set(published["components"]["securitySchemes"]) == {"bearerAuth"}


def test_every_error_is_documented_as_a_problem(published: dict[str, Any]) -> None:
    errors = [
        (method, path, status, response.get("content"))
        for method, path, op in operations(published)
        for status, response in op["responses"].items()
        if int(status) >= 400
    ]

    assert errors
    for method, path, status, content in errors:
        schema = "ValidationProblem" if status == "422" else "Problem"
        expected = {"application/problem+json": {"schema": ref(schema)}}
        assert content == expected, (method, path, status)
    assert "HTTPValidationError" not in published["components"]["schemas"]


def test_the_gateway_s_own_refusals_are_documented(published: dict[str, Any]) -> None:
    bookings = published["paths"]["/api/bookings"]

    assert "429" in bookings["post"]["responses"]  # only creating a booking is rate limited
    assert "429" not in bookings["get"]["responses"]
    assert "429" in published["paths"]["/api/auth/sign-in"]["post"]["responses"]
    assert "413" in bookings["post"]["responses"]
    assert "413" not in bookings["get"]["responses"]


def test_no_time_claims_a_format_the_service_does_not_serve(published: dict[str, Any]) -> None:
    assert '"format": "time"' not in json.dumps(published)


def test_a_renamed_security_scheme_is_renamed_where_it_is_required() -> None:
    def secured(description: str) -> dict[str, Any]:
        doc = document({})
        doc["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "description": description}
        }
        doc["paths"] = {"/api/studios": {"get": {"security": [{"bearer": []}], "responses": {}}}}
        return doc

    booking, catalog = secured("booking's"), secured("catalog's")
    booking["paths"] = {"/api/bookings": booking["paths"].pop("/api/studios")}

    merged = merge({"booking": booking, "catalog": catalog}, LOCATIONS)

    assert merged["paths"]["/api/studios"]["get"]["security"] == [{"Catalogbearer": []}]
    assert set(merged["components"]["securitySchemes"]) == {"bearer", "Catalogbearer"}
