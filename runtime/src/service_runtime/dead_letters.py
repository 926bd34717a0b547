"""Operators' view of a service's dead letters: list them, replay them into the service's queue.

`python -m service_runtime.dead_letters list|replay --service booking [--limit N]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aio_pika

from service_runtime.retries import DEAD_LETTER_REASON, LAST_ERROR, RETRY_ATTEMPT, carried_headers
from service_runtime.settings import ServiceSettings
from service_runtime.topology import Topology

# Why a message is here, as `list` shows it:
#   delivery_limit: the broker delivered it max_deliveries times to consumers that died holding
#                   it (a crash loop); it may never have failed: replay it once the service runs;
#   handler_error:  its handler failed on every attempt; `error` is the last failure;
#   unreadable:     no handler can read it (not an envelope, unknown type); `error` says why.


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    message_type: str | None
    reason: str | None
    error: str | None
    attempts: int | None  # handler attempts made (0: the handler never failed on it)
    body: Any


def _int_header(value: Any) -> int | None:
    return int(str(value)) if value is not None else None


def _dead_letter(message: aio_pika.abc.AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    deaths = headers.get("x-death") or []
    death: Any = deaths[0] if isinstance(deaths, list) and deaths else {}
    reason = headers.get(DEAD_LETTER_REASON) or death.get("reason")
    error = headers.get(LAST_ERROR)
    try:
        body: Any = json.loads(message.body)
    except ValueError:
        body = message.body.decode(errors="replace")
    return DeadLetter(
        message_id=message.message_id,
        message_type=message.type,
        reason=str(reason) if reason is not None else None,
        error=str(error) if error is not None else None,
        attempts=_int_header(headers.get(RETRY_ATTEMPT)) or 0,
        body=body,
    )


async def list_dead_letters(
    url: str, topology: Topology, service: str, limit: int
) -> list[DeadLetter]:
    """Peek at up to `limit` dead letters; they stay in the queue."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(topology.dead_letter_queue(service), ensure=False)
        found: list[DeadLetter] = []
        taken: list[aio_pika.abc.AbstractIncomingMessage] = []
        while len(found) < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            taken.append(message)
            found.append(_dead_letter(message))
        for message in taken:
            await message.nack(requeue=True)
        return found


async def replay_dead_letters(url: str, topology: Topology, service: str, limit: int) -> int:
    """Move up to `limit` dead letters back into the service's own queue; returns how many.

    A replayed message starts afresh: all its handler attempts are ahead of it again.
    """
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(topology.dead_letter_queue(service), ensure=False)
        replayed = 0
        while replayed < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = carried_headers(message.headers or {})
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=topology.queue(service),
            )
            await message.ack()
            replayed += 1
        return replayed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m service_runtime.dead_letters")
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("--service", required=True)
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()
    settings = ServiceSettings()
    topology = Topology(settings.bus_namespace)
    if args.command == "list":
        letters = asyncio.run(
            list_dead_letters(settings.rabbit_url, topology, args.service, args.limit)
        )
        for letter in letters:
            print(json.dumps(letter.__dict__, default=str))
    else:
        count = asyncio.run(
            replay_dead_letters(settings.rabbit_url, topology, args.service, args.limit)
        )
        print(f"replayed {count}")


if __name__ == "__main__":
    main()
