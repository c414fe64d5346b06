"""Seed the 2024–2026 working-day calendar from the committed workdays/data/cn_calendar.csv."""

import csv
import datetime
from pathlib import Path

from django.db import migrations

SEED_YEARS = (2024, 2025, 2026)
CSV_PATH = Path(__file__).resolve().parents[1] / "data" / "cn_calendar.csv"
NOTE = "初始数据据 chinesecalendar 1.11.0 导入（workdays/data/cn_calendar.csv）"


def read_rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            day = datetime.date.fromisoformat(row["date"])
            if day.year not in SEED_YEARS:
                raise ValueError(f"{CSV_PATH.name}: {day} is outside the seeded years")
            if row["kind"] not in ("holiday", "workday"):
                raise ValueError(f"{CSV_PATH.name}: unknown kind {row['kind']!r} on {day}")
            yield day, row["kind"], row["name"].strip()


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    for year in SEED_YEARS:
        CalendarYear.objects.get_or_create(year=year, defaults={"note": NOTE})
    for day, kind, name in read_rows():
        SpecialDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    SpecialDay.objects.filter(date__in=[day for day, _, _ in read_rows()]).delete()
    CalendarYear.objects.filter(year__in=SEED_YEARS, note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
