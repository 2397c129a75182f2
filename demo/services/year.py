"""The demo year's calendar, shared by every part of it."""

import datetime

YEAR = 2017
FIRST_DAY, LAST_DAY = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


def date(month: int, day: int) -> datetime.date:
    return datetime.date(YEAR, month, day)


def between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))
