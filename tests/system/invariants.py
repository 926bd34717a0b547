"""What must hold across services after any scenario, read straight from their databases."""

from __future__ import annotations

from typing import Any

import psycopg

from scripts.system import SystemLayout


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        return connection.execute(sql).fetchall()


def violations(layout: SystemLayout) -> list[str]:
    """Every broken invariant, described; an empty list means the system is consistent."""
    urls = layout.database_urls
    found: list[str] = []
    overlapping = _rows(
        urls["availability"],
        "SELECT a.booking_id, b.booking_id FROM reservations a JOIN reservations b"
        " ON a.room_id = b.room_id AND a.id < b.id AND a.during && b.during"
        " WHERE a.status = 'booked' AND b.status = 'booked'",
    )
    found += [f"overlapping booked reservations: {pair}" for pair in overlapping]

    bookings = dict(_rows(urls["booking"], "SELECT id, status FROM bookings"))
    payments = dict(_rows(urls["payments"], "SELECT booking_id, status FROM payments"))
    live_slots = {
        booking_id
        for (booking_id,) in _rows(
            urls["availability"],
            "SELECT booking_id FROM reservations"
            " WHERE status IN ('held', 'booked') AND booking_id IS NOT NULL",
        )
    }
    for booking_id, status in bookings.items():
        payment = payments.get(booking_id)
        if status == "confirmed" and payment not in ("authorized", "captured"):
            found.append(f"confirmed booking {booking_id} has payment {payment}")
        if status in ("failed", "cancelled"):
            if booking_id in live_slots:
                found.append(f"{status} booking {booking_id} still holds its slot")
            if payment == "authorized":
                found.append(f"{status} booking {booking_id} keeps a live authorization")

    unbalanced = _rows(
        urls["payments"],
        "SELECT p.booking_id, p.captured_minor, p.refunded_minor, p.fee_minor, o.amount_minor"
        " FROM payments p JOIN payouts o ON o.booking_id = p.booking_id"
        " WHERE o.status = 'paid'"
        " AND p.captured_minor <> p.refunded_minor + p.fee_minor + o.amount_minor",
    )
    found += [
        f"money does not add up (captured, refunds, fee, payout): {row}" for row in unbalanced
    ]
    return found
