"""The statistics summary (:class:`~notifications.models.DailyFigure`): a few thousand
counted cells instead of 100 000 cases, so the managers' page aggregates small rows.

Each case contributes cells (see the table in ``DailyFigure``); the contribution last
applied is kept in :class:`~notifications.models.FigureContribution`. When a workflow
event is written (``post_save`` on ``applications.Event``, same transaction) the case's
contribution is computed again and only the difference is added, with ``n = n + d``
updates, so concurrent steps on different cases never overwrite each other's counts.
A deleted case takes its contribution away. Changes made without an event (bulk
imports, SQL) need ``manage.py rebuild_statistics``; ``--check`` compares the summary
with the figures computed from the raw rows (:mod:`notifications.stats_raw`).

Dates are local (``TIME_ZONE``) days, as ``TruncDate`` gives them; working-day
durations are computed when the page is read, so calendar edits apply at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from applications.models import Application, DepartmentReview, Event, State
from catalogue.models import ApplicationKind

from .models import DailyFigure, FigureContribution

DECIDED = (DepartmentReview.Status.APPROVED, DepartmentReview.Status.REJECTED)
OPEN = (DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW)
BATCH = 2000


@dataclass
class Cell:
    dims: dict = field(default_factory=dict)
    n: int = 0
    on_time: int = 0


def _day(value):
    return timezone.localtime(value).date() if value is not None else None


def _iso(day) -> str:
    return day.isoformat() if day is not None else ""


def _add(cells: dict, key: str, dims: dict, on_time: int = 0) -> None:
    cell = cells.get(key)
    if cell is None:
        cell = cells[key] = Cell(dims)
    cell.n += 1
    cell.on_time += on_time


def counted(application) -> bool:
    """Cases are submitted applications of every kind but 账号注册."""
    return application.state != State.DRAFT and application.kind != ApplicationKind.ACCOUNT


def contribution(application, item_ids, reviews) -> dict[str, Cell]:
    """The cells of one case. ``item_ids``: its items; ``reviews``: (review, item ids)."""
    cells: dict[str, Cell] = {}
    if not counted(application):
        return cells
    for review, _items in reviews:
        if review.status in OPEN and review.due_date is not None:
            _add(
                cells, f"open|{_iso(review.due_date)}", {"measure": "open", "day": review.due_date}
            )
    region = application.region_id
    _add(cells, f"county|{region}", {"measure": "county", "region_id": region})
    _add(cells, f"state|{application.state}", {"measure": "state", "state": application.state})
    submitted = _day(application.submitted_at)
    _add(cells, f"intake|{_iso(submitted)}", {"measure": "intake", "day": submitted})
    if application.decided_at is not None:
        decided = _day(application.decided_at)
        _add(cells, f"finished|{_iso(decided)}", {"measure": "finished", "day": decided})
    for item_id in item_ids:
        _add(cells, f"item|{item_id}", {"measure": "item", "item_id": item_id})
    for review, review_items in reviews:
        dept = review.department_id
        _add(cells, f"review|{dept}", {"measure": "review", "department_id": dept})
        if review.status not in DECIDED or review.decided_at is None:
            continue
        received, decided = _day(review.received_at), _day(review.decided_at)
        on_time = int(review.due_date is None or decided <= review.due_date)
        for prefix, group, value in [("dept", "department_id", dept)] + [
            ("item", "item_id", item_id) for item_id in (review_items or [None])
        ]:
            _decision(cells, prefix, {group: value}, received, decided, on_time)
    return cells


def _decision(cells, prefix, group: dict, received, decided, on_time) -> None:
    """A decided review, seen from each end: counted on its decided day with the
    received year, and on its received day with the decided year (durations are sums
    of day ordinals; the years say whether both ends lie in the covered calendar)."""
    value = next(iter(group.values())) or ""
    _add(
        cells,
        f"{prefix}_done|{value}|{_iso(decided)}|{received.year}",
        {"measure": f"{prefix}_done", "day": decided, "other_year": received.year, **group},
        on_time,
    )
    _add(
        cells,
        f"{prefix}_recv|{value}|{_iso(received)}|{decided.year}",
        {"measure": f"{prefix}_recv", "day": received, "other_year": decided.year, **group},
    )


def _load(applications) -> dict[int, dict[str, Cell]]:
    """Contributions of several cases with four queries in all."""
    apps = {a.pk: a for a in applications}
    through = Application.items.through
    items = defaultdict(list)
    for app_id, item_id in through.objects.filter(application_id__in=apps).values_list(
        "application_id", "serviceitem_id"
    ):
        items[app_id].append(item_id)
    reviews = list(DepartmentReview.objects.filter(application_id__in=apps))
    review_items = defaultdict(list)
    for review_id, item_id in DepartmentReview.items.through.objects.filter(
        departmentreview__in=reviews
    ).values_list("departmentreview_id", "serviceitem_id"):
        review_items[review_id].append(item_id)
    by_app = defaultdict(list)
    for review in reviews:
        by_app[review.application_id].append((review, review_items[review.pk]))
    return {pk: contribution(app, items[pk], by_app[pk]) for pk, app in apps.items()}


def _bump(key: str, cell: Cell, dn: int, dt: int) -> None:
    """Add (dn, dt) to one summary row, creating it when it is new."""
    rows = DailyFigure.objects.filter(key=key)
    if not rows.update(n=F("n") + dn, on_time=F("on_time") + dt):
        try:
            with transaction.atomic():
                DailyFigure.objects.create(key=key, n=dn, on_time=dt, **cell.dims)
        except IntegrityError:  # created meanwhile by a concurrent step
            rows.update(n=F("n") + dn, on_time=F("on_time") + dt)
    if dn < 0:
        rows.filter(n=0).delete()


def refresh(application_id: int) -> None:
    """Bring the summary up to date with one case (inside the caller's transaction)."""
    application = Application.objects.filter(pk=application_id).first()
    new = _load([application])[application_id] if application is not None else {}
    stored = FigureContribution.objects.select_for_update().filter(application_id=application_id)
    old = stored.first()
    old_cells = old.cells if old is not None else {}
    for key in sorted(set(old_cells) | set(new)):
        before = old_cells.get(key, [0, 0])
        cell = new.get(key, Cell())
        dn, dt = cell.n - before[0], cell.on_time - before[1]
        if dn or dt:
            _bump(key, cell, dn, dt)
    if application is None or not new:
        stored.delete()  # drafts (and accounts) contribute nothing: no row to keep
        return
    cells = {key: [c.n, c.on_time] for key, c in new.items()}
    FigureContribution.objects.update_or_create(
        application_id=application_id, defaults={"cells": cells}
    )


@transaction.atomic
def rebuild(stdout=None) -> int:
    """Recompute the whole summary from the raw rows; returns the number of cells."""
    DailyFigure.objects.all().delete()
    FigureContribution.objects.all().delete()
    totals: dict[str, Cell] = {}
    ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = Application.objects.filter(pk__in=ids[start : start + BATCH])
        loaded = _load(batch)
        FigureContribution.objects.bulk_create(
            FigureContribution(
                application_id=pk, cells={k: [c.n, c.on_time] for k, c in cells.items()}
            )
            for pk, cells in loaded.items()
            if cells
        )
        for cells in loaded.values():
            for key, cell in cells.items():
                total = totals.setdefault(key, Cell(cell.dims))
                total.n += cell.n
                total.on_time += cell.on_time
        if stdout is not None:
            stdout.write(f"  {min(start + BATCH, len(ids)):,} / {len(ids):,}")
    DailyFigure.objects.bulk_create(
        (DailyFigure(key=k, n=c.n, on_time=c.on_time, **c.dims) for k, c in totals.items()),
        batch_size=BATCH,
    )
    return len(totals)


@receiver(post_save, sender=Event, dispatch_uid="notifications.summary_refresh")
def event_refresh(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.action not in Event.STAFF_READS:
        refresh(instance.application_id)


@receiver(pre_delete, sender=Application, dispatch_uid="notifications.summary_delete")
def application_deleted(sender, instance, **kwargs):
    if FigureContribution.objects.filter(application_id=instance.pk).exists():
        # Take the contribution away; the contribution row goes with the case.
        cells = FigureContribution.objects.get(application_id=instance.pk).cells
        for key, (n, on_time) in cells.items():
            _bump(key, Cell(), -n, -on_time)
