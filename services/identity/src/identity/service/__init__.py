"""Identity's use cases, one module per trigger: accounts and sign-in (users), links sent by
email, refresh tokens, signing keys, Clerk's webhooks, deleting one's own account."""
