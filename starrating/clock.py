"""The product's one clock: every service, view and the demo asks it for "now" and "today".

`now()` is `django.utils.timezone.now()` unless a caller has set another source for the
current context with `use(source)` (the demo plays last year's campaign on last year's
dates) or `frozen(moment)` (tests of deadlines and windows). The source is held in a
`ContextVar`, so a source set in one thread or request never leaks into another.
Audit records take their time from here as well (`starrating.audit`), so a history
written under the demo's clock carries the demo's dates.
"""

import contextlib
import datetime
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.utils import timezone

_source: ContextVar[Callable[[], datetime.datetime] | None] = ContextVar(
    "starrating_clock", default=None
)


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    source = _source.get()
    return timezone.now() if source is None else source()


def today() -> datetime.date:
    """The current date in the site's time zone (Asia/Shanghai)."""
    return timezone.localdate(now())


def aware(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """Midnight (or the given time) of `day` in the site's time zone."""
    naive = datetime.datetime.combine(day, datetime.time(hour, minute))
    return timezone.make_aware(naive, timezone.get_default_timezone())


@contextlib.contextmanager
def use(source: Callable[[], datetime.datetime]) -> Iterator[None]:
    """Within the block, `now()` is `source()`."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def frozen(moment: datetime.datetime | datetime.date):
    """Within the block, `now()` is `moment` (a date means 09:00 of that day)."""
    if not isinstance(moment, datetime.datetime):
        moment = aware(moment, 9)
    return use(lambda: moment)
