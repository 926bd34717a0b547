"""Catalog's pure domain: studios, their status, slugs, search cursors, ratings. No I/O."""
