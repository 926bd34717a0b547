"""Password hashing off the event loop, a few at a time, refusing work it cannot start soon.

Argon2 is meant to be slow (about 0.2 s of CPU a hash, over several threads). Hashed in the
default thread pool, a burst of sign-ups took every core: the event loop starved, requests
holding a database connection could not finish, and the others timed out waiting for one (500s;
a client that then signed in found no account). Here at most `concurrency` hashes run at once,
at most `queue` more wait, and none starts after waiting `wait_seconds`: past those the caller
is told to come back (`ServiceBusy`: 503 with Retry-After) before anything was written.
"""

from __future__ import annotations

import asyncio
import functools
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from argon2 import PasswordHasher, profiles
from argon2.exceptions import VerificationError

from service_runtime.problems import ServiceBusy

T = TypeVar("T")

BUSY = "Too many sign-ups and sign-ins at once; nothing was done, try again shortly."

Profile = Literal["RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST"]
"""argon2-cffi's parameter profiles for new hashes (a stored hash carries its own, so any
profile checks any hash). RFC 9106's low-memory one is argon2-cffi's default; CHEAPEST protects
nothing and is for test systems only (production refuses it)."""


class PasswordHashing:
    """Hashes and checks passwords on a small pool of its own, behind a bounded queue."""

    def __init__(
        self,
        *,
        concurrency: int,
        queue: int,
        wait_seconds: float,
        profile: Profile = "RFC_9106_LOW_MEMORY",
    ) -> None:
        self._hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="password-hashing")
        self._concurrency = concurrency
        self._limit = concurrency + queue
        self._wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._taken = 0  # hashes running or waiting
        self._seconds_per_hash = 0.5  # a running estimate, for Retry-After

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches; with no hash, as slow as a real check (so sign-in's
        time does not tell which emails exist)."""
        return await self._run(self._matches, password_hash, password)

    def _matches(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password)
        except VerificationError:
            return False

    @functools.cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("not-a-password")

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._taken >= self._limit:
                raise self._busy()
            self._taken += 1
        try:
            deadline = time.monotonic() + self._wait_seconds
            return await asyncio.wrap_future(self._pool.submit(self._timed, deadline, work, *args))
        finally:
            with self._lock:
                self._taken -= 1

    def _timed(self, deadline: float, work: Callable[..., T], *args: object) -> T:
        started = time.monotonic()
        if started > deadline:
            raise self._busy()  # the caller has waited long enough: tell it now, spend nothing
        result = work(*args)
        self._seconds_per_hash = 0.8 * self._seconds_per_hash + 0.2 * (time.monotonic() - started)
        return result

    def _busy(self) -> ServiceBusy:
        """Come back once what is queued now should be done."""
        drain = self._taken * self._seconds_per_hash / self._concurrency
        return ServiceBusy(BUSY, retry_after_seconds=min(30, max(1, math.ceil(drain))))


@functools.cache
def password_hashing(
    concurrency: int, queue: int, wait_seconds: float, profile: Profile
) -> PasswordHashing:
    """One per process and configuration: the cores it shares are the process's."""
    return PasswordHashing(
        concurrency=concurrency, queue=queue, wait_seconds=wait_seconds, profile=profile
    )
