"""Identity's HTTP routes."""
