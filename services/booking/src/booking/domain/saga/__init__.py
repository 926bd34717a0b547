"""The booking saga as a pure decision: (booking, what happened, now) -> (booking, messages).

What happened is a reply from availability or payments, a deadline the scheduler fires, or
a person's action. A reply counts only when it answers a command this booking's saga sent
(`Reply.answers`, from the envelope's causation id) and says what that command asked for (the
same room and times, the same amount); anything else is ignored and noted. Replies that arrive
twice or too late change nothing (or re-send a compensation, which the other services apply
once); actions in the wrong state raise IllegalTransition.

Every state that waits has a deadline: a command that gets no answer in `reply_timeout` is sent
again, at most `max_resends` times, and then the saga compensates and fails the booking.
"""

from booking.domain.saga.decide import SAGA_REPLIES, decide, start
from booking.domain.saga.steps import (
    Accept,
    AnswerMove,
    Cancel,
    Complete,
    DeadlinePassed,
    Decision,
    Decline,
    Happening,
    MarkNoShow,
    Reschedule,
    SagaRules,
    next_deadline,
)

__all__ = [
    "SAGA_REPLIES",
    "Accept",
    "AnswerMove",
    "Cancel",
    "Complete",
    "DeadlinePassed",
    "Decision",
    "Decline",
    "Happening",
    "MarkNoShow",
    "Reschedule",
    "SagaRules",
    "decide",
    "next_deadline",
    "start",
]
