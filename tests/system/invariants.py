"""What must hold across services after any scenario, read straight from their databases,
from Stripe (the stand-in) and from the dead-letter queues."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import aio_pika
import httpx
import psycopg
from psycopg.rows import dict_row

from scripts.system import SERVICE_NAMES, SystemLayout
from service_runtime.bus import Topology
from service_runtime.dead_letters import list_dead_letters

Row = dict[str, Any]

ENDED = ("failed", "cancelled")
CHARGED = ("completed", "no_show")
OPEN_AT_STRIPE = ("requires_payment_method", "requires_confirmation", "requires_action")
"""A PaymentIntent in these states can still be paid: none may be left for an ended booking."""


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str
    booking_id: str | None = None

    def __str__(self) -> str:
        about = f" booking {self.booking_id}" if self.booking_id else ""
        return f"{self.invariant}:{about} {self.detail}"


def rows(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), row_factory=dict_row
    ) as connection:
        return connection.execute(sql, params).fetchall()


@dataclass(frozen=True)
class Snapshot:
    """What each service's database says, per booking (ids as text)."""

    bookings: dict[str, Row]
    payments: dict[str, Row]
    """Each booking's first payment."""
    money: dict[str, Row]
    """Each booking's payments summed, its dearer moves' included."""
    payouts: dict[str, Row]
    reservations: dict[str, list[Row]]
    overlapping: list[Row]

    @classmethod
    def read(cls, layout: SystemLayout) -> Snapshot:
        urls = layout.database_urls
        reservations: dict[str, list[Row]] = defaultdict(list)
        for row in rows(
            urls["availability"],
            "SELECT booking_id::text, room_id::text, status, lower(during) AS starts_at,"
            " upper(during) AS ends_at FROM reservations WHERE booking_id IS NOT NULL",
        ):
            reservations[row["booking_id"]].append(row)
        return cls(
            bookings=_by_booking(
                rows(
                    urls["booking"],
                    "SELECT id::text AS booking_id, status, room_id::text, starts_at, ends_at,"
                    " move_id, total_minor, refund_minor, refunded_minor, confirmed_at,"
                    " deadline_at, client_secret, failure_reason, cancellation_reason"
                    " FROM bookings",
                )
            ),
            payments=_by_booking(
                rows(
                    urls["payments"],
                    "SELECT booking_id::text, status, intent_ref, amount_minor, captured_minor,"
                    " refunded_minor, fee_minor, void_reason FROM payments WHERE move_id IS NULL",
                )
            ),
            money=_by_booking(
                rows(
                    urls["payments"],
                    "SELECT booking_id::text, sum(captured_minor) AS captured_minor,"
                    " sum(refunded_minor) AS refunded_minor, sum(fee_minor) AS fee_minor,"
                    " coalesce(sum(amount_minor) FILTER (WHERE status IN"
                    " ('authorized', 'captured', 'refunded')), 0) AS paid_minor,"
                    " bool_or(status = 'authorized') AS authorized"
                    " FROM payments GROUP BY booking_id",
                )
            ),
            payouts=_by_booking(
                rows(
                    urls["payments"],
                    "SELECT booking_id::text, status, amount_minor, reversed_minor, transfer_ref"
                    " FROM payouts",
                )
            ),
            reservations=dict(reservations),
            overlapping=rows(
                urls["availability"],
                "SELECT a.booking_id::text AS first, b.booking_id::text AS second"
                " FROM reservations a JOIN reservations b"
                " ON a.room_id = b.room_id AND a.id < b.id AND a.during && b.during"
                " WHERE a.status = 'booked' AND b.status = 'booked'",
            ),
        )


def _by_booking(found: list[Row]) -> dict[str, Row]:
    return {row["booking_id"]: row for row in found}


def violations(layout: SystemLayout) -> list[str]:
    """Every broken invariant of the databases, described; empty when the system is consistent."""
    return [str(v) for v in consistency(Snapshot.read(layout))]


def consistency(s: Snapshot) -> list[Violation]:
    """What holds at any quiet moment: no overlap, confirmed is paid (its price, dearer moves'
    differences included), nothing live for an ended booking, money adds up for paid payouts
    over all of a booking's payments (refunds and reversals after them included)."""
    found = [
        Violation("no overlapping booked reservations", f"{pair['first']} and {pair['second']}")
        for pair in s.overlapping
    ]
    for booking_id, booking in s.bookings.items():
        payment = s.payments.get(booking_id, {}).get("status")
        if booking["status"] == "confirmed" and payment not in ("authorized", "captured"):
            found.append(
                Violation("every confirmed booking paid", f"payment {payment}", booking_id)
            )
        money = s.money.get(booking_id, {})
        if booking["status"] == "confirmed" and money.get("paid_minor", 0) < booking["total_minor"]:
            detail = f"price {booking['total_minor']}, paid {money.get('paid_minor')}"
            found.append(Violation("every confirmed booking paid", detail, booking_id))
        if booking["status"] == "confirmed" and booking["move_id"] is None:
            found.extend(_booked_where_it_says(booking_id, booking, s.reservations))
        if booking["status"] in ENDED:
            live = [r["status"] for r in s.reservations.get(booking_id, [])]
            if {"held", "booked"} & set(live):
                found.append(
                    Violation("nothing live for an ended booking", f"slot {live}", booking_id)
                )
            if money.get("authorized"):
                found.append(
                    Violation("nothing live for an ended booking", "authorization", booking_id)
                )
    for booking_id, payout in s.payouts.items():
        payment = s.money.get(booking_id)
        if payout["status"] == "paid" and payment and _unbalanced(payment, payout):
            found.append(
                Violation(
                    "money balances",
                    f"captured {payment['captured_minor']} != refunded "
                    f"{payment['refunded_minor']} + fee kept (of {payment['fee_minor']}) "
                    f"+ payout {payout['amount_minor']} - reversed {payout['reversed_minor']}",
                    booking_id,
                )
            )
    return found


def _booked_where_it_says(
    booking_id: str, booking: Row, reservations: dict[str, list[Row]]
) -> list[Violation]:
    """A confirmed booking not being moved has one booked reservation, at its room and time
    (after a move too: the new one booked, the old released)."""
    booked = [
        (r["room_id"], r["starts_at"], r["ends_at"])
        for r in reservations.get(booking_id, [])
        if r["status"] == "booked"
    ]
    says = (booking["room_id"], booking["starts_at"], booking["ends_at"])
    if booked == [says]:
        return []
    detail = f"booking says {says}, availability has booked {booked}"
    return [Violation("booked where the booking says", detail, booking_id)]


def _unbalanced(payment: Row, payout: Row) -> bool:
    """captured = refunds + fee kept + payout - reversals: the whole fee is kept unless a refund
    came after the payout, when the owner's share of it is reversed and the platform gives up
    the rest of it from its fee (services/payments/src/payments/domain/refunds.py)."""
    owner_keeps = payout["amount_minor"] - payout["reversed_minor"]
    fee_kept = payment["captured_minor"] - payment["refunded_minor"] - owner_keeps
    if payout["reversed_minor"] == 0:
        return bool(fee_kept != payment["fee_minor"])
    return not 0 <= fee_kept <= payment["fee_minor"]


# --- after a chaos run: every booking settled, and Stripe, payments and booking agree ------


@dataclass(frozen=True)
class Intent:
    """Stripe's view of one PaymentIntent."""

    id: str
    status: str
    amount: int
    capturable: int
    received: int
    refunded: int

    @property
    def kept(self) -> int:
        return self.received - self.refunded


def intent_of(booking: Row, payment: Row | None) -> str | None:
    """The PaymentIntent id payments recorded, or the one in the booker's client secret."""
    if payment and payment["intent_ref"]:
        return str(payment["intent_ref"])
    secret = booking["client_secret"]
    return secret.split("_secret_")[0] if secret else None


def read_intents(standin_url: str, intent_ids: list[str]) -> dict[str, Intent]:
    """What Stripe (the stand-in) holds for each PaymentIntent, refunds summed."""
    found = {}
    with httpx.Client(
        base_url=standin_url, headers={"Authorization": "Bearer sk_test_standin"}, timeout=30
    ) as stripe:
        for intent_id in intent_ids:
            intent = stripe.get(f"/v1/payment_intents/{intent_id}").raise_for_status().json()
            refunds = stripe.get(
                "/v1/refunds", params={"payment_intent": intent_id, "limit": 100}
            ).raise_for_status()
            found[intent_id] = Intent(
                id=intent_id,
                status=intent["status"],
                amount=intent["amount"],
                capturable=intent["amount_capturable"],
                received=intent["amount_received"],
                refunded=sum(refund["amount"] for refund in refunds.json()["data"]),
            )
    return found


def expected_kept(booking: Row) -> int | None:
    """What the booking says the booker pays in the end; None while either is still right
    (a confirmed booking is authorized or captured)."""
    if booking["status"] == "failed":
        return 0
    if booking["status"] == "cancelled":
        # Only a confirmed booking keeps part of the price; before that a cancellation voids.
        if booking["confirmed_at"] is None:
            return 0
        return int(booking["total_minor"] - (booking["refund_minor"] or 0))
    if booking["status"] in CHARGED:
        return int(booking["total_minor"])
    return None


def money_violations(s: Snapshot, intents: dict[str, Intent]) -> list[Violation]:
    """Per booking: Stripe's view, payments' and booking's agree on what was taken and kept."""
    found: list[Violation] = []
    for booking_id, booking in s.bookings.items():
        payment = s.payments.get(booking_id)
        intent_id = intent_of(booking, payment)
        intent = intents.get(intent_id) if intent_id else None
        found += _stripe_matches_payments(booking_id, payment, intent)
        found += _booking_matches_money(booking_id, booking, payment, intent)
        kept = intent.kept if intent else 0
        if booking["status"] in ENDED and kept and booking_id not in s.payouts:
            found.append(
                Violation(
                    "money balances",
                    f"{booking['status']}: Stripe kept {kept} and the owner has no payout",
                    booking_id,
                )
            )
        if (
            booking["client_secret"]
            and intent_id
            and not booking["client_secret"].startswith(intent_id)
        ):
            found.append(
                Violation(
                    "one PaymentIntent per booking",
                    f"booker paid {booking['client_secret'].split('_secret_')[0]}, "
                    f"payments recorded {intent_id}",
                    booking_id,
                )
            )
    return found


_STRIPE_STATUS_OF = {
    "pending": OPEN_AT_STRIPE,
    "authorized": ("requires_capture",),
    "captured": ("succeeded",),
    "refunded": ("succeeded",),
    "voided": ("canceled",),
    "expired": ("canceled",),
}


def _stripe_matches_payments(
    booking_id: str, payment: Row | None, intent: Intent | None
) -> list[Violation]:
    if payment is None or intent is None:
        if payment is not None and payment["status"] not in ("failed", "voided"):
            return [Violation("payments matches Stripe", f"{payment['status']} without an intent",
                              booking_id)]  # fmt: skip
        return []
    found = []
    if intent.status not in _STRIPE_STATUS_OF.get(payment["status"], ()):
        found.append(
            Violation(
                "payments matches Stripe",
                f"payments {payment['status']} ({payment['void_reason'] or '-'}), "
                f"Stripe {intent.status} ({intent.id})",
                booking_id,
            )
        )
    if (payment["captured_minor"], payment["refunded_minor"]) != (intent.received, intent.refunded):
        found.append(
            Violation(
                "payments matches Stripe",
                f"payments captured {payment['captured_minor']} refunded "
                f"{payment['refunded_minor']}, Stripe received {intent.received} "
                f"refunded {intent.refunded}",
                booking_id,
            )
        )
    return found


def _booking_matches_money(
    booking_id: str, booking: Row, payment: Row | None, intent: Intent | None
) -> list[Violation]:
    status, total = booking["status"], booking["total_minor"]
    found = []
    live_at_stripe = intent is not None and (intent.status in OPEN_AT_STRIPE or intent.capturable)
    live_at_payments = payment is not None and payment["status"] in ("pending", "authorized")
    if status in ENDED and (live_at_stripe or live_at_payments):
        found.append(
            Violation(
                "nothing live for an ended booking",
                f"{status} ({booking['failure_reason'] or booking['cancellation_reason']}),"
                f" payments {payment['status'] if payment else None},"
                f" Stripe {intent.status if intent else None}"
                f" capturable {intent.capturable if intent else 0}",
                booking_id,
            )
        )
    kept = intent.kept if intent else 0
    expected = expected_kept(booking)
    if expected is not None and kept != expected:
        found.append(
            Violation(
                "money balances",
                f"{status}: booking keeps {expected} of {total}"
                f" (refund {booking['refund_minor']}), Stripe kept {kept}",
                booking_id,
            )
        )
    if status == "confirmed" and not (
        (intent and intent.status == "requires_capture" and intent.capturable == total)
        or kept == total
    ):
        found.append(
            Violation(
                "every confirmed booking paid",
                f"total {total}, Stripe {intent.status if intent else None}"
                f" capturable {intent.capturable if intent else 0} kept {kept}",
                booking_id,
            )
        )
    booked_refunds = booking["refunded_minor"]
    if payment and booked_refunds != payment["refunded_minor"]:
        found.append(
            Violation(
                "money balances",
                f"booking knows of {booked_refunds} refunded, payments {payment['refunded_minor']}",
                booking_id,
            )
        )
    return found


def reservation_violations(s: Snapshot) -> list[Violation]:
    """A confirmed booking holds exactly the room and times it paid for."""
    found = []
    for booking_id, booking in s.bookings.items():
        if booking["status"] != "confirmed":
            continue
        wanted = (booking["room_id"], booking["starts_at"], booking["ends_at"])
        booked = [
            (r["room_id"], r["starts_at"], r["ends_at"])
            for r in s.reservations.get(booking_id, [])
            if r["status"] == "booked"
        ]
        if booked != [wanted]:
            found.append(
                Violation(
                    "a booking gets what it paid for",
                    f"room {wanted[0]} {wanted[1]:%d %H:%M}-{wanted[2]:%H:%M}, booked {booked}",
                    booking_id,
                )
            )
    return found


def stuck(s: Snapshot, transient: tuple[str, ...]) -> list[Violation]:
    """Bookings still waiting when the system should have settled."""
    return [
        Violation(
            "no saga past its deadline",
            f"still {b['status']}, deadline {b['deadline_at'] or 'none'}",
            booking_id,
        )
        for booking_id, b in s.bookings.items()
        if b["status"] in transient
    ]


async def dead_letter_violations(rabbit_url: str, namespace: str) -> list[Violation]:
    """Every dead letter is one: the chaos scenario sends nothing malformed."""
    found = []
    topology = Topology(namespace)
    for service in SERVICE_NAMES:
        try:
            letters = await list_dead_letters(rabbit_url, topology, service, limit=10_000)
        except aio_pika.exceptions.ChannelNotFoundEntity:
            continue  # a service that consumes nothing has no queues
        found += [
            Violation(
                "no unexplained dead letter",
                f"{service} dead-lettered {letter.message_type} ({letter.reason},"
                f" {letter.deliveries} deliveries)",
                str(letter.body.get("correlation_id")),
            )
            for letter in letters
        ]
    return found


async def queued_messages(rabbit_url: str, namespace: str) -> int:
    """Messages waiting in the services' queues (not yet delivered)."""
    topology = Topology(namespace)
    waiting = 0
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        for service in SERVICE_NAMES:
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(topology.queue(service), passive=True)
            except aio_pika.exceptions.ChannelNotFoundEntity:
                continue
            waiting += queue.declaration_result.message_count or 0
    return waiting
