"""Service runtime kit shared by every OneTime service."""
