"""Everything the services and Stripe say about one booking, for a failure message: enough to
match a broken invariant to its cause without the run's databases (they are dropped)."""

from __future__ import annotations

from typing import Any

from scripts.system import SystemLayout
from tests.system.invariants import Intent, Snapshot, intent_of, rows


def dossier(layout: SystemLayout, s: Snapshot, intents: dict[str, Intent], booking_id: str) -> str:
    """The booking, its payment, Stripe's PaymentIntent, its reservations and the saga's
    timeline, one line each."""
    booking = s.bookings.get(booking_id, {})
    payment = s.payments.get(booking_id)
    intent_id = intent_of(booking, payment) if booking else None
    reservations = [_fields(r, _RESERVATION) for r in s.reservations.get(booking_id, [])]
    lines = [
        f"-- booking {booking_id}",
        f"   booking: {_fields(booking, _BOOKING)}",
        f"   payments: {_fields(payment, _PAYMENT)}",
        f"   stripe: {intents.get(intent_id) if intent_id else None}",
        f"   payout: {_fields(s.payouts.get(booking_id), ('status', 'amount_minor'))}",
        f"   reservations: {reservations}",
    ]
    lines += [f"   {event}" for event in _timeline(layout, booking_id)]
    lines += [f"   payments call {call}" for call in _stripe_calls(layout, booking_id)]
    return "\n".join(lines)


_BOOKING = ("status", "total_minor", "refund_minor", "refunded_minor", "confirmed_at",
            "deadline_at", "failure_reason", "cancellation_reason")  # fmt: skip
_PAYMENT = ("status", "void_reason", "amount_minor", "captured_minor", "refunded_minor",
            "intent_ref")  # fmt: skip
_RESERVATION = ("status", "starts_at", "ends_at")


def _fields(row: dict[str, Any] | None, names: tuple[str, ...]) -> str:
    if row is None:
        return "none"
    return ", ".join(f"{name}={_short(row[name])}" for name in names if row[name] is not None)


def _short(value: Any) -> str:
    return value.strftime("%H:%M:%S.%f")[:-3] if hasattr(value, "strftime") else str(value)


def _timeline(layout: SystemLayout, booking_id: str) -> list[str]:
    events = rows(
        layout.database_urls["booking"],
        "SELECT occurred_at, kind, name, status_before, status_after, note FROM booking_events"
        f" WHERE booking_id = '{booking_id}' ORDER BY id",
    )
    return [
        f"{_short(e['occurred_at'])} {e['kind']} {e['name']}"
        f" {e['status_before'] or ''}->{e['status_after'] or ''} {e['note']}".rstrip()
        for e in events
    ]


def _stripe_calls(layout: SystemLayout, booking_id: str) -> list[str]:
    calls = rows(
        layout.database_urls["payments"],
        "SELECT created_at, kind, status, attempts, last_error FROM stripe_calls"
        " WHERE booking_id::text = %s ORDER BY id",
        (booking_id,),
    )
    return [
        f"{_short(c['created_at'])} {c['kind']} {c['status']} after {c['attempts']}"
        + (f": {c['last_error']}" if c["last_error"] else "")
        for c in calls
    ]
