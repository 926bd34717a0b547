"""W3C trace context in and out of strings, for the outbox row and the envelope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()


def current_traceparent() -> str | None:
    """The active span's traceparent, or None outside any trace."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def continued_trace(traceparent: str | None) -> Iterator[None]:
    """Run the block inside the trace a traceparent names (as if its span were current)."""
    if not traceparent:
        yield
        return
    token = otel_context.attach(_propagator.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextmanager
def span_in_trace(
    tracer_provider: TracerProvider, name: str, traceparent: str | None
) -> Iterator[None]:
    """A span in the trace a traceparent names, linked to the span that was current.

    For work that arrives without our trace context (a Stripe webhook, a timer) but belongs to
    a flow that has one: the booking's trace then shows it, and the link leads back.
    """
    current = trace.get_current_span().get_span_context()
    links = [Link(current)] if current.is_valid else []
    parent = _propagator.extract({"traceparent": traceparent}) if traceparent else None
    tracer = tracer_provider.get_tracer("service_runtime")
    with tracer.start_as_current_span(name, context=parent, links=links):
        yield
