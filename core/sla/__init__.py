"""Service levels: `[sla]` read into policies, calendars and the escalation chain (`core.sla.config`)."""
