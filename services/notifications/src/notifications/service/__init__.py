"""Notifications' use cases, one module per trigger. An email is recorded in the transaction
of the event that calls for it (unique on event, recipient and kind, behind the inbox's dedup)
and sent later by the sender loop (`sending.py`)."""
