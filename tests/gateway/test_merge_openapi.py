"""The gateway's one OpenAPI document, merged from the services' own documents."""

from __future__ import annotations

import asyncio
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
from tests.fixtures.infra import free_port, serving

LOCATIONS = gateway_locations(TEMPLATE.read_text())


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
        ("/api/bookings/{booking_id}", "booking"),
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
