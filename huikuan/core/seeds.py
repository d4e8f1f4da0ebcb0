def seed() -> None:
    """The business calendar from the holiday libraries (rows a person edited are kept)."""
    from .services import refresh_business_calendar

    refresh_business_calendar(range(2018, 2028))
