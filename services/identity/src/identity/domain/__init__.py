"""Identity's pure domain: users, roles, token claims. No I/O, no frameworks."""
