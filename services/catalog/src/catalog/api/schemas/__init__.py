"""Request and response bodies of catalog's API, one module per resource."""
