"""The test clock itself (tests/conftest.py): the marker pins the moment, the clock ticks."""

import datetime
import time

import pytest
from django.utils import timezone

from tests.conftest import DEFAULT_CLOCK, clock_moment


@pytest.mark.clock("2026-12-31 23:59")
def test_the_marker_runs_the_test_at_its_moment_in_portal_time():
    now = timezone.localtime()
    assert (now.date(), now.hour, now.minute) == (datetime.date(2026, 12, 31), 23, 59)
    assert datetime.date.today() == datetime.date(2026, 12, 31)


@pytest.mark.clock()
def test_the_default_moment_ticks_on():
    start = timezone.now()
    assert timezone.localdate() == clock_moment(DEFAULT_CLOCK).date()
    time.sleep(0.01)
    assert timezone.now() > start


def test_clock_moment_reads_dates_and_times():
    assert clock_moment("2027-01-04").isoformat() == "2027-01-04T09:00:00+08:00"
    assert clock_moment("2027-01-04 17:30").isoformat() == "2027-01-04T17:30:00+08:00"
    assert clock_moment(datetime.date(2029, 6, 1)).hour == 9
