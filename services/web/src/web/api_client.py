"""The public API as the web front end calls it: through the gateway, as the signed-in person.

Every answer that is not a success becomes an exception the pages render: `ApiProblem` for
the API's RFC 9457 problems (with the fields they name), `ApiUnavailable` when the API cannot
be reached or answers for a service that is down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

MAX_ANSWER_BYTES = 2_000_000
"""No page needs a larger API answer; a larger one is treated as a failure, not rendered."""

QueryValue = str | int | float | Sequence[str]


class ApiUnavailable(Exception):
    """The API did not answer usefully: unreachable, too slow, or a gateway error (502-504)."""


@dataclass
class ApiProblem(Exception):
    """A problem+json answer from the API: its status, words, and the fields it names."""

    status: int
    title: str
    detail: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


class ApiClient:
    """Calls the API at `base_url`; `token` makes a call as that person."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, timeout_seconds: float) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_seconds)

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, QueryValue | None] | None = None,
        token: str | None = None,
    ) -> Any:
        return await self._call("GET", path, params=params, token=token)

    async def changed(
        self, path: str, *, version: int, wait_seconds: float, token: str | None = None
    ) -> Any | None:
        """The resource once it moves past `version`, or None when `wait_seconds` end first: a
        long poll (`If-None-Match` with `Prefer: wait`), one request for the whole wait."""
        headers = {"If-None-Match": f'"{version}"', "Prefer": f"wait={wait_seconds:g}"}
        return await self._call(
            "GET", path, token=token, headers=headers, wait_seconds=wait_seconds
        )

    def _timeout_after(self, wait_seconds: float) -> httpx.Timeout:
        """The usual timeout, on top of a wait the API was asked to make."""
        if not wait_seconds or self._timeout.read is None:
            return self._timeout
        return httpx.Timeout(self._timeout.read + wait_seconds)

    async def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        token: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """`idempotency_key` makes a repeated post (a double click) the same one at the API."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return await self._call("POST", path, json=body, token=token, headers=headers)

    async def put(self, path: str, body: Mapping[str, Any], *, token: str | None = None) -> Any:
        return await self._call("PUT", path, json=body, token=token)

    async def patch(self, path: str, body: Mapping[str, Any], *, token: str | None = None) -> Any:
        return await self._call("PATCH", path, json=body, token=token)

    async def delete(
        self, path: str, *, token: str | None = None, body: Mapping[str, Any] | None = None
    ) -> Any:
        return await self._call("DELETE", path, json=body, token=token)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue | None] | None = None,
        json: Mapping[str, Any] | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        wait_seconds: float = 0,
    ) -> Any:
        headers = {"Accept": "application/json", **(headers or {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        query = {name: value for name, value in (params or {}).items() if value is not None}
        try:
            response = await self._http.request(
                method,
                f"{self._base_url}{path}",
                params=query,
                json=json,
                headers=headers,
                timeout=self._timeout_after(wait_seconds),
            )
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code in (502, 503, 504):
            raise ApiUnavailable(f"{method} {path}: {response.status_code}")
        if len(response.content) > MAX_ANSWER_BYTES:
            raise ApiUnavailable(f"{method} {path}: answer of {len(response.content)} bytes")
        if response.status_code == 304:  # not modified: the caller has it already
            return None
        if response.is_success:
            return response.json() if response.content else None
        raise problem_of(response)


def problem_of(response: httpx.Response) -> ApiProblem:
    """The API's problem+json as an ApiProblem; any other error body still gives a status."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase or "Error"),
        detail=str(body.get("detail") or ""),
        field_errors=field_errors_of(body),
    )


def field_errors_of(problem: Mapping[str, Any]) -> dict[str, str]:
    """The fields a problem names, by their last name part (`body.email` -> `email`).

    Services name fields two ways: a validation problem's `errors` list, and a domain
    problem's detail that starts with the parameter ("sort: relevance needs a text query").
    """
    named: dict[str, str] = {}
    errors = problem.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and item.get("field"):
                name = str(item["field"]).split(".")[-1]
                named.setdefault(name, str(item.get("message") or "is not valid"))
    detail = problem.get("detail")
    if not named and isinstance(detail, str):
        head, sep, rest = detail.partition(": ")
        if sep and head.replace("_", "").isalnum() and head.islower():
            named[head] = rest
    return named
