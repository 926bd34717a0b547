"""`python -m notifications [serve|migrate]`."""

from notifications.app import create_app
from notifications.config import NotificationsSettings
from service_runtime import cli

if __name__ == "__main__":
    cli.main("notifications", NotificationsSettings(), create_app)
