"""Availability's use cases, one module per trigger: schedules (owners and people reading
them), holds, the saga's commands, calendar feeds, external calendars."""
