"""Catalog's service layer, one module per trigger: owners' and admins' changes of studios,
reading and searching studios, reviews, and booking's messages. Each use case runs in one unit
of work and records the events it causes."""
