"""OneTime Studios' web front end: server-rendered pages over the public API."""
