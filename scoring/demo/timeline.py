"""The demo's clock: last year's campaign is played on last year's dates.

While the demo is built, `starrating.clock` reads `DemoClock` (`clock.use`), so every
date a service stamps (deadlines, submissions, ballots, history rows) is the demo's.
"""

import contextlib
import datetime

from django.utils import timezone

from starrating import clock

#: The wall clock, for `DemoClock.real()`.
_wall_clock = timezone.now


class DemoClock:
    """`starrating.clock`'s source while the demo is built. `at(day, hour)` sets the
    time; every reading advances it by a second so histories keep their order. `real()`
    goes back to the wall clock."""

    def __init__(self):
        self.moment = None

    def at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> None:
        self.moment = clock.aware(day, hour, minute)

    def real(self) -> None:
        self.moment = None

    def wall_today(self) -> datetime.date:
        return timezone.localdate(_wall_clock())

    def __call__(self) -> datetime.datetime:
        if self.moment is None:
            return _wall_clock()
        self.moment += datetime.timedelta(seconds=1)
        return self.moment


@contextlib.contextmanager
def demo_clock():
    source = DemoClock()
    with clock.use(source):
        yield source
