"""The money side of a booking and its conversation by email: a declined card while the time
is held, the booker's receipt, the owner's payout and dispute, a new message; all over real
SMTP from the bus."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from contracts import Envelope, Message
from contracts.booking import (
    BookingConfirmed,
    BookingFailed,
    BookingPaymentFailed,
    FailureReason,
    MessagePosted,
)
from contracts.payments import (
    DisputeOpened,
    PaymentCaptured,
    PaymentFailureReason,
    PayoutPaid,
)
from contracts.values import Money
from service_runtime.bus import Bus
from tests.fixtures.infra import eventually
from tests.fixtures.mail import MailSink, Received

from ..conftest import Notifications, publish, seed

NOW = datetime.now(UTC)


async def _send(publisher: Bus, *events: Message) -> None:
    for event in events:
        await publish(publisher, Envelope.wrap(event), event)


async def _mail(mail_sink: MailSink, address: str, subject_start: str) -> Received:
    async def arrived() -> bool:
        return any(m.subject.startswith(subject_start) for m in mail_sink.to(address))

    await eventually(arrived)
    [mail] = [m for m in mail_sink.to(address) if m.subject.startswith(subject_start)]
    return mail


def _words(mail: Received) -> str:
    return " ".join(mail.body("plain").split())


async def test_a_declined_card_tells_the_booker_where_to_try_again_until_it_is_confirmed(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    scene = await seed(notifications)
    confirmed = scene.confirmed(NOW + timedelta(days=2))
    about = confirmed.model_dump(
        include={"booking_id", "booker_id", "owner_id", "studio_id", "room_id", "time_range"}
    )

    def declined() -> BookingPaymentFailed:
        return BookingPaymentFailed(
            **about, reason=PaymentFailureReason.CARD_DECLINED, retryable=True, failed_at=NOW
        )

    await _send(publisher, declined())  # the first notifications hears of the booking
    mail = await _mail(mail_sink, scene.booker.email, "Your payment for Kreuzberg Sound Lab")
    await _send(publisher, confirmed)
    await _mail(mail_sink, scene.booker.email, "Booking confirmed")
    await _send(publisher, declined())  # a stale failure, after the confirmation
    await asyncio.sleep(1)  # time for a second failure email, if one were coming

    text = _words(mail)
    assert "We could not take your payment: your card was declined." in text
    assert f"http://127.0.0.1:8080/bookings/{confirmed.booking_id}/checkout" in text
    assert "Live Room" in text
    failures = [m for m in mail_sink.to(scene.booker.email) if "did not go through" in m.subject]
    assert len(failures) == 1


async def test_the_booker_gets_a_receipt_and_the_owner_the_payout_and_the_dispute(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    scene = await seed(notifications)
    confirmed = scene.confirmed(NOW + timedelta(days=1))
    booking_id, payment_id = confirmed.booking_id, uuid.uuid4()
    amount = Money(amount_minor=9000, currency="EUR")

    await _send(
        publisher,
        confirmed,
        PaymentCaptured(
            booking_id=booking_id, payment_id=payment_id, amount=amount,
            platform_fee=Money(amount_minor=900, currency="EUR"), captured_at=NOW,
        ),
        PayoutPaid(
            booking_id=booking_id, owner_id=scene.owner.id,
            amount=Money(amount_minor=8100, currency="EUR"), transfer_id="tr_123", paid_at=NOW,
        ),
        DisputeOpened(
            booking_id=booking_id, payment_id=payment_id, dispute_id=uuid.uuid4(),
            amount=amount, reason="product_not_received",
            evidence_due_by=datetime(2026, 12, 20, 23, 59, tzinfo=UTC), opened_at=NOW,
        ),
    )  # fmt: skip

    receipt = await _mail(mail_sink, scene.booker.email, "Receipt: 90.00 EUR for Kreuzberg")
    payout = await _mail(mail_sink, scene.owner.email, "Payout of 81.00 EUR sent")
    dispute = await _mail(mail_sink, scene.owner.email, "A payment for Kreuzberg Sound Lab is")
    assert "We have taken 90.00 EUR from your card" in _words(receipt)
    assert "Paid: 90.00 EUR" in _words(receipt)
    assert "Bea Booker's booking" in _words(payout)
    assert "(transfer tr_123)" in _words(payout)
    assert "reason given: product not received" in _words(dispute)
    assert "Evidence is due by Sunday 20 December 2026, 23:59 UTC." in _words(dispute)


async def test_a_message_is_emailed_to_the_side_that_did_not_write_it(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    scene = await seed(notifications)
    confirmed = scene.confirmed(NOW + timedelta(days=4))

    def posted(author: uuid.UUID, excerpt: str) -> MessagePosted:
        return MessagePosted(
            booking_id=confirmed.booking_id, chat_message_id=uuid.uuid4(), author_id=author,
            excerpt=excerpt, posted_at=NOW,
        )  # fmt: skip

    await _send(publisher, confirmed, posted(scene.booker.id, "Can we bring a <b>drum kit</b>?"))
    to_owner = await _mail(mail_sink, scene.owner.email, "New message from Bea Booker")
    await _send(publisher, posted(scene.owner.id, "Yes, of course."))
    to_booker = await _mail(mail_sink, scene.booker.email, "New message from Olga Owner")

    assert "Can we bring a <b>drum kit</b>?" in _words(to_owner)
    assert "Can we bring a &lt;b&gt;drum kit&lt;/b&gt;?" in to_owner.body("html")
    assert f"/owner/bookings/{confirmed.booking_id}" in _words(to_owner)
    assert "Yes, of course." in _words(to_booker)
    assert f"8080/bookings/{confirmed.booking_id}" in _words(to_booker)
    assert not [m for m in mail_sink.to(scene.booker.email) if "Bea Booker" in m.subject]


async def test_captures_that_come_before_their_bookings_wait_for_them_without_a_retry(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    """A booking a month ahead is paid at once, when the card is confirmed: payments' capture
    and booking's confirmation race to notifications, whose consumer handles several messages
    at once. Each booker gets one receipt whichever comes first, and no handler fails."""
    scene = await seed(notifications)
    bookings = [scene.confirmed(NOW + timedelta(days=30, hours=3 * n)) for n in range(12)]

    def captured(booking: BookingConfirmed) -> PaymentCaptured:
        return PaymentCaptured(
            booking_id=booking.booking_id, payment_id=uuid.uuid4(),
            amount=Money(amount_minor=9000, currency="EUR"),
            platform_fee=Money(amount_minor=900, currency="EUR"), captured_at=NOW,
        )  # fmt: skip

    first = bookings[0]
    await _send(publisher, captured(first))  # alone: it can only wait

    async def first_waits() -> bool:
        return bool(await notifications.waiting(first.booking_id))

    await eventually(first_waits)
    await _send(publisher, first)
    for n, booking in enumerate(bookings[1:]):  # then at once, in either order
        pair = (captured(booking), booking)
        await _send(publisher, *(pair if n % 2 else reversed(pair)))

    async def all_told() -> bool:
        subjects = [m.subject for m in mail_sink.to(scene.booker.email)]
        return sum(s.startswith("Receipt: 90.00 EUR") for s in subjects) >= len(bookings) and sum(
            s.startswith("Booking confirmed") for s in subjects
        ) >= len(bookings)

    await eventually(all_told)
    await asyncio.sleep(1)  # time for a second receipt of any, if one were coming
    receipts = [m for m in mail_sink.to(scene.booker.email) if m.subject.startswith("Receipt")]
    assert len(receipts) == len(bookings)
    assert "We have taken 90.00 EUR from your card" in _words(receipts[0])
    assert not any([await notifications.waiting(b.booking_id) for b in bookings])
    metrics = (await notifications.client.get("/metrics")).text
    retried = [line for line in metrics.splitlines() if line.startswith("bus_message_retries")]
    assert all(line.endswith(" 0.0") for line in retried), retried


async def test_a_message_written_before_paying_reaches_the_owner_once_the_booking_is_paid(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    """The booking's page takes messages from its request on; notifications hears of the
    booking only once it is paid (here confirmed), minutes later maybe."""
    scene = await seed(notifications)
    confirmed = scene.confirmed(NOW + timedelta(days=3))
    posted = MessagePosted(
        booking_id=confirmed.booking_id, chat_message_id=uuid.uuid4(),
        author_id=scene.booker.id, excerpt="Is there parking?", posted_at=NOW,
    )  # fmt: skip

    await _send(publisher, posted)

    async def message_waits() -> bool:
        return bool(await notifications.waiting(confirmed.booking_id))

    await eventually(message_waits)
    await _send(publisher, confirmed)
    to_owner = await _mail(mail_sink, scene.owner.email, "New message from Bea Booker")
    assert "Is there parking?" in _words(to_owner)
    assert await notifications.waiting(confirmed.booking_id) == []


async def test_a_booking_paid_at_once_that_fails_tells_the_booker_its_money_goes_back(
    notifications: Notifications, publisher: Bus, mail_sink: MailSink
) -> None:
    """Paid at once, then its hold lost on the way to confirmed: the capture that waited for
    the booking is told with the failure, and nothing is left waiting."""
    scene = await seed(notifications)
    about = scene.confirmed(NOW + timedelta(days=30)).model_dump(
        include={"booking_id", "booker_id", "owner_id", "studio_id", "room_id", "time_range"}
    )
    captured = PaymentCaptured(
        booking_id=about["booking_id"], payment_id=uuid.uuid4(),
        amount=Money(amount_minor=9000, currency="EUR"),
        platform_fee=Money(amount_minor=900, currency="EUR"), captured_at=NOW,
    )  # fmt: skip
    await _send(publisher, captured)

    async def capture_waits() -> bool:
        return bool(await notifications.waiting(about["booking_id"]))

    await eventually(capture_waits)
    await _send(publisher, BookingFailed(**about, reason=FailureReason.SLOTS_LOST, failed_at=NOW))

    failed = await _mail(mail_sink, scene.booker.email, "We could not keep your booking")
    receipt = await _mail(mail_sink, scene.booker.email, "Receipt: 90.00 EUR")
    assert "the amount refunded in full" in _words(failed)
    assert f"http://127.0.0.1:8080/bookings/{about['booking_id']}" in _words(failed)
    assert "We have taken 90.00 EUR from your card" in _words(receipt)
    assert await notifications.waiting(about["booking_id"]) == []
    assert mail_sink.to(scene.owner.email) == []
