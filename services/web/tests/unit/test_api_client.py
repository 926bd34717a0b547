"""The API client against a fake API: problems become errors with their fields, outages another."""

from __future__ import annotations

import httpx
import pytest

from web.api_client import ApiClient, ApiProblem, ApiUnavailable


def client_of(handler: object) -> ApiClient:
    return ApiClient(httpx.AsyncClient(transport=httpx.MockTransport(handler)), "http://gw/", 5)  # type: ignore[arg-type]


async def test_a_call_carries_the_token_and_drops_empty_parameters() -> None:
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": []})

    answer = await client_of(api).get(
        "/api/studios", params={"q": "drums", "city": None, "amenities": ["piano", "wifi"]},
        token="t-1",
    )  # fmt: skip

    assert answer == {"items": []}
    assert seen[0].headers["authorization"] == "Bearer t-1"
    assert str(seen[0].url) == "http://gw/api/studios?q=drums&amenities=piano&amenities=wifi"


async def test_a_validation_problem_names_its_fields() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        problem = {
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "Invalid request: body.email",
            "errors": [{"field": "body.email", "message": "value is not a valid email"}],
        }
        return httpx.Response(422, json=problem)

    with pytest.raises(ApiProblem) as raised:
        await client_of(api).post("/api/auth/sign-up", {"email": "x"})

    assert raised.value.status == 422
    assert raised.value.field_errors == {"email": "value is not a valid email"}


async def test_a_domain_problem_names_the_parameter_its_detail_starts_with() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        detail = "sort: relevance needs a text query (q)"
        return httpx.Response(422, json={"title": "x", "status": 422, "detail": detail})

    with pytest.raises(ApiProblem) as raised:
        await client_of(api).get("/api/studios")

    assert raised.value.field_errors == {"sort": "relevance needs a text query (q)"}


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_gateway_error_means_the_api_is_unavailable(status: int) -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"title": "Bad Gateway", "status": status})

    with pytest.raises(ApiUnavailable):
        await client_of(api).get("/api/studios")


async def test_an_unreachable_or_slow_api_is_unavailable() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(ApiUnavailable):
        await client_of(api).get("/api/studios")


async def test_a_non_json_error_still_has_its_status() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>nope</html>")

    with pytest.raises(ApiProblem) as raised:
        await client_of(api).get("/api/studios/x")

    assert raised.value.status == 404
