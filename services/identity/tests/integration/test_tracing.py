"""A trace started by an HTTP request continues in the consumer of the message it caused."""

from __future__ import annotations

import uuid
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts.identity import UserCreated
from service_runtime.bus import Bus
from tests.fixtures.infra import delete_queues, eventually

from ..conftest import StartIdentity, sign_up


async def test_consumer_span_continues_the_sign_up_request_trace(
    start_identity: StartIdentity,
    rabbit_url: str,
    bus_namespace: str,
    tracer_provider: TracerProvider,
    span_exporter: InMemorySpanExporter,
) -> None:
    consumed_in: list[int] = []

    async def consume(body: dict[str, Any]) -> None:
        if body["payload"]["email"] == "traced@example.com":
            consumed_in.append(trace.get_current_span().get_span_context().trace_id)

    name = f"probe-{uuid.uuid4().hex[:8]}"
    probe = Bus(
        rabbit_url, namespace=bus_namespace, max_deliveries=3, tracer_provider=tracer_provider
    )
    probe.consume(name, [UserCreated.routing_key], consume)
    await probe.start()
    try:
        async with start_identity(trace_sql_statements=True) as identity:
            await sign_up(identity.client, "traced@example.com")

            async def consumed() -> bool:
                return bool(consumed_in)

            await eventually(consumed)
    finally:
        await probe.stop()
        await delete_queues(rabbit_url, probe.topology.queues_of(name))

    [request_span] = [
        span
        for span in span_exporter.get_finished_spans()
        if span.name == "POST /api/auth/sign-up"
        and span.kind is trace.SpanKind.SERVER
        and span.context.trace_id == consumed_in[0]
    ]
    same_trace = [
        s for s in span_exporter.get_finished_spans() if s.context.trace_id == consumed_in[0]
    ]
    kinds = {span.kind for span in same_trace}
    assert request_span.parent is None
    assert {trace.SpanKind.SERVER, trace.SpanKind.PRODUCER, trace.SpanKind.CONSUMER} <= kinds
    assert any(span.name.startswith("INSERT") for span in same_trace)
