"""`python -m booking [serve|migrate]`."""

from booking.app import create_app
from booking.config import BookingSettings
from service_runtime import cli

if __name__ == "__main__":
    cli.main("booking", BookingSettings(), create_app)
