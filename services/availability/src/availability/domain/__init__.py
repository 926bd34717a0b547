"""Availability's pure domain: weekly hours in local time, blackouts, free slots, holds.

No I/O and no frameworks: the service layer loads the inputs and stores the decisions.
"""
