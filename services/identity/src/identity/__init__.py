"""Identity: users, roles, tokens, JWKS, Clerk webhooks."""
