"""Deadlines follow the calendar however it is edited.

The notice form (workdays/notice.py) computes the flagged deadlines itself; a year added
through the plain 日历年度 snippet (or any other save) gets the same once the transaction
commits, so a deadline never stays flagged for a year that is now covered.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .coverage import recompute_flagged_deadlines
from .models import CalendarYear


@receiver(post_save, sender=CalendarYear, dispatch_uid="workdays.calendar_year_saved")
def calendar_year_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: fixtures are not a calendar edit
        return
    year = instance.year
    transaction.on_commit(lambda: recompute_flagged_deadlines([year]))
