"""Whether a room is free at a time, asked of availability's public API for a quote: read only,
nothing is held, and a quote still answers (free unknown) when availability cannot say in time."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import httpx

log = logging.getLogger(__name__)


class FreeTime:
    """Availability asked over the runtime's (traced) HTTP client."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, timeout_seconds: float) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/api/availability"
        self._timeout = timeout_seconds

    async def is_free(
        self, studio_id: uuid.UUID, room_id: uuid.UUID, starts_at: datetime, ends_at: datetime
    ) -> bool | None:
        """True when the room can be booked from starts_at to ends_at now; None when unknown."""
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        params = {
            "studio_id": str(studio_id), "room_id": str(room_id),
            "from": starts_at.isoformat(), "to": ends_at.isoformat(),
            "duration_minutes": str(minutes),
        }  # fmt: skip
        try:
            answer = await self._http.get(self._url, params=params, timeout=self._timeout)
            answer.raise_for_status()
            slots = answer.json()["slots"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as failed:
            log.warning("availability could not say whether the time is free: %r", failed)
            return None
        return any(datetime.fromisoformat(slot["starts_at"]) == starts_at for slot in slots)
