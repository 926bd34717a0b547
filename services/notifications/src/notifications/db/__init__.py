"""Notifications' storage on PostgreSQL: the only code that runs SQL, one repository per
aggregate (read_model, preferences, emails, reminders), and `SqlNotificationsUnits`, which puts
them on one transaction. Importing the package registers every table on `metadata`."""

from notifications.db.tables import inbox, metadata, outbox

__all__ = ["inbox", "metadata", "outbox"]
