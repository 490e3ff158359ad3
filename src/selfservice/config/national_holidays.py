"""National public holidays for the SLA calendars, from the ``holidays`` package.

The domain only sees :class:`~selfservice.domain.calendars.YearDays` per year; this
module answers those look-ups (a year at a time, when a clock first reaches it) and
tells how far the package's data can be trusted, for ``selfservice config check``.
"""

import functools
from dataclasses import dataclass
from datetime import date

import holidays

from selfservice.domain.calendars import YearDays


@dataclass(frozen=True)
class NationalHolidays:
    """Public holidays of ``country`` (ISO 3166 code) and optionally a subdivision."""

    country: str
    subdivision: str | None = None

    def __call__(self, year: int) -> YearDays:
        return _year_days(self.country, self.subdivision, year)

    def known_years(self) -> range:
        """Years the package computes holidays for at all."""
        base = _entity(self.country, self.subdivision)
        return range(base.start_year, base.end_year + 1)

    def moves_known_through(self, today: date) -> int | None:
        """The last year whose government-decreed moves of days off the package lists,
        for a country that decrees them every year (Russia, Kazakhstan…); None otherwise.

        Fixed-rule holidays are computed for any year; the moves (a Saturday worked so a
        bridge Monday is off) exist only once the decree is published and the package
        updated. A country whose last listed decree is more than three years old is taken
        to have stopped moving days (Ukraine after 2022), not to have a stale package.
        """
        base = _entity(self.country, self.subdivision)
        if not base.has_substituted_holidays:
            return None
        specials = getattr(base, "special_public_holidays", {}) or {}
        last = max((y for y in specials if isinstance(y, int)), default=None)
        if last is None or last < today.year - 3:
            return None
        return last


def resolve(country: str, subdivision: str | None) -> NationalHolidays:
    """A :data:`~selfservice.config.support_build.NationalResolver` over ``holidays``."""
    code = country.strip().upper()
    sub = subdivision.strip().upper() if subdivision is not None else None
    try:
        _entity(code, sub)
    except NotImplementedError:
        if sub is None:
            raise ValueError(
                f"no holiday data for country '{country}'; use an ISO code like RU, KZ, US, CA"
            ) from None
        known = ", ".join(holidays.country_holidays(code).subdivisions)
        reason = f"'{subdivision}' is not a subdivision of {code}; known: {known}"
        raise ValueError(reason) from None
    return NationalHolidays(code, sub)


@functools.lru_cache(maxsize=64)
def _entity(country: str, subdivision: str | None) -> holidays.HolidayBase:
    # Constructing the entity computes no year yet; it validates the codes and carries
    # the metadata (year range, decree data).
    return holidays.country_holidays(country, subdiv=subdivision)


@functools.lru_cache(maxsize=128)
def _year_days(country: str, subdivision: str | None, year: int) -> YearDays:
    # The neighbouring year is computed too: a day observed in lieu can be filed under
    # the year of the holiday it replaces (1 January on a Saturday → 31 December).
    table = holidays.country_holidays(country, subdiv=subdivision, years=(year, year + 1))
    worked: set[date] = getattr(table, "weekend_workdays", set())
    return YearDays(
        frozenset(d for d in table if d.year == year),
        frozenset(d for d in worked if d.year == year),
    )
