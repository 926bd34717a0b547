"""Booking's use cases, one module per trigger: the saga's steps (replies, deadlines), catalog's
studio events, requests and quotes, people's actions, reads, and the booking's conversation.
Each takes booking's units of work (`booking.repositories`), so the fast tests run them on fakes."""
