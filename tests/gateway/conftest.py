"""Real nginx on the rendered gateway config, in front of echo apps standing in for the services."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from deploy.gateway.render import (
    UPSTREAMS,
    GatewayConfig,
    check,
    nginx_binary,
    nginx_command,
    render,
)
from service_runtime.tls import client_tls
from tests.fixtures.infra import free_port, serving

SLOW_SECONDS = 2.5


def echo_app(service: str) -> FastAPI:
    """Answers every request with what it received: service name, raw path, headers, body."""
    app = FastAPI(openapi_url=None)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(request: Request, path: str) -> Any:
        body = await request.body()
        if path.endswith("/slow"):
            await asyncio.sleep(SLOW_SECONDS)
        if path.endswith("/missing"):
            return JSONResponse({"title": f"{service} has no such thing"}, status_code=404)
        return {
            "service": service,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": dict(request.headers),
            "body_b64": base64.b64encode(body).decode(),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }

    return app


@dataclass(frozen=True)
class Gateway:
    url: str
    access_log: Path

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10, verify=client_tls())


@pytest.fixture(scope="session")
def nginx() -> str:
    try:
        return nginx_binary()
    except FileNotFoundError as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="module")
async def echo_upstreams() -> AsyncIterator[dict[str, str]]:
    """The five services and the web front end as echo apps on free ports: name -> host:port."""
    async with contextlib.AsyncExitStack() as stack:
        upstreams = {}
        for service in UPSTREAMS:
            port = free_port()
            await stack.enter_async_context(serving(echo_app(service), port))
            upstreams[service] = f"127.0.0.1:{port}"
        yield upstreams


def _launch(
    upstreams: Mapping[str, str], openapi_text: str, options: Mapping[str, Any]
) -> tuple[Path, subprocess.Popen[bytes], Gateway]:
    """Render the config, check it with nginx -t and start nginx in the foreground.

    The work directory is world-readable: under root, nginx's workers run as nobody and must
    reach the temp files and the OpenAPI document (pytest's tmp_path is private to its owner).
    """
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="gateway-test-"))
    work.chmod(0o755)
    openapi = work / "openapi.json"
    openapi.write_text(openapi_text)
    config = GatewayConfig(
        upstreams=upstreams,
        listen=f"127.0.0.1:{port}",
        run_dir=work / "run",
        openapi_file=openapi,
        access_log=str(work / "access.log"),
        **options,
    )
    conf = render(config, work)
    check(conf)
    process = subprocess.Popen(nginx_command(conf), stderr=subprocess.PIPE)
    return work, process, Gateway(f"http://127.0.0.1:{port}", work / "access.log")


@contextlib.asynccontextmanager
async def running_gateway(
    upstreams: Mapping[str, str], openapi_text: str = "{}", **options: Any
) -> AsyncIterator[Gateway]:
    """Real nginx on the rendered config for the duration of the block."""
    work, process, gateway = _launch(upstreams, openapi_text, options)
    try:
        await _wait_until_up(gateway, process)
        yield gateway
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


async def _wait_until_up(gateway: Gateway, process: subprocess.Popen[bytes]) -> None:
    async with gateway.client() as client:
        for _ in range(200):
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"nginx exited: {stderr}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


GatewayFactory = Callable[..., contextlib.AbstractAsyncContextManager[Gateway]]


@pytest.fixture
def start_gateway(nginx: str) -> GatewayFactory:
    """Start a gateway of one's own (fresh rate-limit counters, chosen upstreams)."""
    del nginx
    return running_gateway


@pytest.fixture(scope="module")
async def gateway(nginx: str, echo_upstreams: dict[str, str]) -> AsyncIterator[Gateway]:
    """One gateway shared by a module's tests, in front of the echo apps. Its read timeout is
    the deployment's: the echo apps share the test's loop on a busy machine, and a second's
    wait there is no sign of a broken route (the timeout has a test of its own)."""
    del nginx
    openapi = '{"openapi": "3.1.0", "paths": {"/api/studios": {}}}'
    async with running_gateway(echo_upstreams, openapi) as running:
        yield running


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem from the gateway, carrying the request id it returned."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == "about:blank"
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]
    return problem
