"""Pure domain: roles, actors, events, records, working calendars, serialisation, errors."""
