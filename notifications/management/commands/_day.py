import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def add_date_argument(parser):
    parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today)")


def day_from(options) -> datetime.date:
    if not options.get("date"):
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(options["date"])
    except ValueError as exc:
        raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
