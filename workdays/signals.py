"""Deadlines follow the calendar however it is edited.

The notice form (workdays/notice.py) computes the flagged deadlines itself; a year added
through the plain 日历年度 snippet (or any other save) gets the same once the transaction
commits, so a deadline never stays flagged for a year that is now covered. A special day
(holiday or 调休上班) added, changed or deleted later through the 节假日与调休 snippet
computes again, after the commit, the open deadlines whose span holds its old or new
date: a year entered before its holidays does not keep deadlines that ignore them.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .coverage import recompute_deadlines_spanning, recompute_flagged_deadlines
from .models import CalendarYear, SpecialDay


@receiver(post_save, sender=CalendarYear, dispatch_uid="workdays.calendar_year_saved")
def calendar_year_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: fixtures are not a calendar edit
        return
    year = instance.year
    transaction.on_commit(lambda: recompute_flagged_deadlines([year]))


def _after_commit(days: set) -> None:
    transaction.on_commit(lambda: recompute_deadlines_spanning(days))


@receiver(pre_save, sender=SpecialDay, dispatch_uid="workdays.special_day_saving")
def special_day_saving(sender, instance, raw=False, **kwargs):
    """Remember the stored date: an edit that moves the day frees the old one."""
    if raw or instance.pk is None:
        instance._workdays_stored_date = None
        return
    stored = SpecialDay.objects.filter(pk=instance.pk).values_list("date", flat=True)
    instance._workdays_stored_date = stored.first()


@receiver(post_save, sender=SpecialDay, dispatch_uid="workdays.special_day_saved")
def special_day_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    stored = getattr(instance, "_workdays_stored_date", None)
    _after_commit({instance.date} | ({stored} if stored else set()))


@receiver(post_delete, sender=SpecialDay, dispatch_uid="workdays.special_day_deleted")
def special_day_deleted(sender, instance, **kwargs):
    _after_commit({instance.date})
