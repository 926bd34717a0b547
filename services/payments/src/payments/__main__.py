"""`python -m payments [serve|migrate]`."""

from payments.app import create_app
from payments.config import PaymentsSettings
from service_runtime import cli

if __name__ == "__main__":
    cli.main("payments", PaymentsSettings(), create_app)
