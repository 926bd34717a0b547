"""Fetching an owner's ICS URL: bounded in time, size and redirects, and never inward.

Owners choose the URL, so the service must not become a way to reach addresses inside its own
network: every hop's host is resolved and refused when any address it names is not public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from availability.domain.external_calendars import FeedUnusable
from service_runtime.tls import client_tls

REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchLimits:
    timeout_seconds: float
    max_bytes: int
    max_redirects: int
    allow_private: bool


def is_public(address: str) -> bool:
    """Whether an IPv4 or IPv6 address is one the fetcher may connect to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def check_host(url: str, *, allow_private: bool) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedUnusable("only http and https addresses can be fetched")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except socket.gaierror as error:
        raise FeedUnusable(f"the host {parts.hostname} could not be resolved") from error
    if not found or not all(is_public(str(info[4][0])) for info in found):
        raise FeedUnusable(f"the host {parts.hostname} is not a public address")


async def fetch(url: str, limits: FetchLimits) -> bytes:
    """The body at `url`, following at most `max_redirects` redirects, each hop re-checked."""
    timeout = httpx.Timeout(limits.timeout_seconds)
    async with httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, verify=client_tls()
    ) as client:
        for _ in range(limits.max_redirects + 1):
            await check_host(url, allow_private=limits.allow_private)
            try:
                # One deadline for the whole answer: a slow trickle must not hold a worker.
                async with asyncio.timeout(limits.timeout_seconds):
                    body, location = await _get(client, url, limits.max_bytes)
            except (httpx.HTTPError, TimeoutError) as error:
                raise FeedUnusable(f"fetching failed ({type(error).__name__})") from error
            if location is None:
                return body
            url = str(httpx.URL(url).join(location))
    raise FeedUnusable(f"more than {limits.max_redirects} redirects")


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> tuple[bytes, str | None]:
    """The body of a 2xx answer, or the target of a redirect."""
    headers = {"Accept": "text/calendar"}
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code in REDIRECTS and "location" in response.headers:
            return b"", response.headers["location"]
        if not response.is_success:
            raise FeedUnusable(f"the server answered {response.status_code}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise FeedUnusable(f"the calendar is larger than {max_bytes} bytes")
        return bytes(body), None
