"""Backoff after failed staff sign-ins: a table of numbers and one function.

The first :data:`FREE_ATTEMPTS` failures in a row cost nothing; the 5th locks sign-in for
:data:`FIRST_LOCK` (1 minute), and every further failure while the count grows doubles the
lock (2, 4, 8 ... minutes) up to :data:`MAX_LOCK` (1 hour). A successful sign-in resets the
count. While locked, even the right password is refused (the message is the same as for a
wrong one, so it tells nothing about which e-mails exist).
"""

from datetime import datetime, timedelta
from typing import Final

FREE_ATTEMPTS: Final = 4
FIRST_LOCK: Final = timedelta(minutes=1)
MAX_LOCK: Final = timedelta(hours=1)


def lock_for(failures: int) -> timedelta:
    """How long sign-in is locked after ``failures`` failures in a row (zero: not locked)."""
    if failures <= FREE_ATTEMPTS:
        return timedelta(0)
    doubled: timedelta = FIRST_LOCK * 2 ** min(failures - FREE_ATTEMPTS - 1, 16)
    return min(doubled, MAX_LOCK)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until
