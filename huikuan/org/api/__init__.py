"""REST API for the organisation: regions, projects, buildings, units (read only, row-scoped)."""
