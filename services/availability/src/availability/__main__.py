"""`python -m availability [serve|migrate]`."""

from availability.app import create_app
from availability.config import AvailabilitySettings
from service_runtime import cli

if __name__ == "__main__":
    cli.main("availability", AvailabilitySettings(), create_app)
