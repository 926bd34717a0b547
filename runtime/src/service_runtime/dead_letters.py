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

from service_runtime.bus import Topology
from service_runtime.settings import ServiceSettings


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    message_type: str | None
    routing_key: str | None
    reason: str | None
    deliveries: int | None
    body: dict[str, Any]


def _dead_letter(message: aio_pika.abc.AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    deaths = headers.get("x-death") or []
    death: Any = deaths[0] if isinstance(deaths, list) and deaths else {}
    routing_keys = death.get("routing-keys") or [None]
    delivery_count = headers.get("x-delivery-count")
    return DeadLetter(
        message_id=message.message_id,
        message_type=message.type,
        routing_key=str(routing_keys[0]) if routing_keys[0] is not None else None,
        reason=str(death.get("reason")) if death else None,
        deliveries=int(str(delivery_count)) if delivery_count is not None else None,
        body=json.loads(message.body),
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
    """Move up to `limit` dead letters back into the service's own queue; returns how many."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(topology.dead_letter_queue(service), ensure=False)
        replayed = 0
        while replayed < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = {
                key: value
                for key, value in (message.headers or {}).items()
                if not key.startswith("x-")
            }
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
