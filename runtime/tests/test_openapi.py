"""A service's own OpenAPI document says what the service really answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from typing import Annotated, Any

import httpx
import jsonschema_rs
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import MetaData

from service_runtime.auth import CurrentUser
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.service_app import ServiceParts, create_service_app
from service_runtime.settings import ServiceSettings


class Opening(BaseModel):
    opens: time
    updated_at: datetime


class ItemMissing(LookupError):
    pass


_optional = HTTPBearer(auto_error=False)


def service() -> FastAPI:
    router = APIRouter()

    @router.get("/api/items/{item_id}")
    async def item(item_id: int) -> Opening:
        if item_id == 0:
            raise ItemMissing("no item 0")
        return Opening(opens=time(9, 30), updated_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))

    @router.get("/api/mine")
    async def mine(user: CurrentUser) -> dict[str, str]:
        return {"id": user.user_id}

    @router.get("/api/page")
    async def page(
        _: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional)],
    ) -> dict[str, str]:
        return {}

    metadata = MetaData()
    parts = ServiceParts(
        title="items",
        outbox=outbox_table(metadata),
        inbox=inbox_table(metadata),
        routers=[router],
        errors={ItemMissing: 404},
    )
    return create_service_app(ServiceSettings(), parts)


@pytest.fixture
def app() -> FastAPI:
    return service()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://items") as client:
        yield client


def conforms(document: dict[str, Any], path: str, status: int, response: httpx.Response) -> None:
    """The response has the media type and the body the document gives for this status."""
    content = document["paths"][path]["get"]["responses"][str(status)]["content"]
    media_type = response.headers["content-type"].split(";")[0]
    assert list(content) == [media_type]
    schema = {**content[media_type]["schema"], "components": document["components"]}
    jsonschema_rs.validator_for(schema, validate_formats=True).validate(response.json())


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/items/0", 404), ("/api/items/x", 422), ("/api/mine", 401), ("/api/items/1", 200)],
)
async def test_every_answer_is_the_media_type_and_shape_the_document_gives(
    app: FastAPI, client: httpx.AsyncClient, url: str, status: int
) -> None:
    response = await client.get(url)

    assert response.status_code == status
    path = "/api/mine" if url == "/api/mine" else "/api/items/{item_id}"
    conforms(app.openapi(), path, status, response)


def test_local_times_are_a_pattern_not_an_rfc3339_format(app: FastAPI) -> None:
    opens = app.openapi()["components"]["schemas"]["Opening"]["properties"]["opens"]

    assert "format" not in opens
    assert jsonschema_rs.is_valid(opens, "09:30")
    assert not jsonschema_rs.is_valid(opens, "09:30Z")
    assert not jsonschema_rs.is_valid(opens, "09:30+05:00")


def test_security_says_which_routes_need_a_token(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    assert paths["/api/mine"]["get"]["security"] == [{"bearerAuth": []}]
    assert paths["/api/page"]["get"]["security"] == [{}, {"bearerAuth": []}]
    assert paths["/api/items/{item_id}"]["get"]["security"] == []
    assert "401" in paths["/api/page"]["get"]["responses"]
    assert "401" not in paths["/api/items/{item_id}"]["get"]["responses"]
