"""The statistics summary gives the very figures the raw rows give: kept current by the
workflow's own events, and rebuilt after writes that bypass them."""

import datetime
import random
from collections import Counter

import pytest
from django.core.management import call_command

from applications import workflow
from applications.models import Application, DepartmentReview
from catalogue.models import ServiceItem
from notifications import ratings, stats, stats_raw, summary
from notifications.models import DailyFigure, FigureContribution, Level, Rating, Rectification
from regions.models import Region
from tests.applications.factories import POWER_ITEM, ROAD_ITEM

from .helpers import aware, finished_case, joint_case

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days

TODAY = datetime.date(2026, 6, 10)
STATES = ["submitted", "under_review", "needs_supplement", "approved", "rejected", "draft"]


def table_rows() -> dict:
    return {t.slug: t.rows for t in stats.summary(TODAY)["tables"]}


def test_workflow_events_keep_the_summary_equal_to_the_raw_figures(operator, reviewers):
    finished_case(operator, reviewers)
    rejected = joint_case(operator, [POWER_ITEM])
    workflow.decide(rejected, user=reviewers["power"], approve=False, opinion="容量不足")
    started = joint_case(operator)
    workflow.start_review(started, user=reviewers["urban"])
    supplement = joint_case(operator, [ROAD_ITEM])
    workflow.request_supplement(supplement, user=reviewers["urban"], extra=["补充施工图"])
    withdrawn = joint_case(operator, [POWER_ITEM])
    workflow.withdraw(withdrawn, user=operator.user)

    assert stats_raw.differences(TODAY) == []
    assert not FigureContribution.objects.filter(application=withdrawn).exists()
    rows = table_rows()
    assert stats.summary_totals() == (4, 2)  # the withdrawn draft is no case
    assert rows["dept"] == [["供电", 3], ["城管", 3]]
    assert [row[:3] for row in rows["dept-perf"]] == [["供电", 2, 100.0], ["城管", 1, 100.0]]
    assert rows["monthly"][-1][1:] == [4, 2]


def test_a_deleted_case_takes_its_figures_away(operator, reviewers):
    case = joint_case(operator, [POWER_ITEM])
    assert stats.summary_totals() == (1, 0)
    Application.objects.filter(pk=case.pk).delete()  # the queryset path sends pre_delete too
    assert stats.summary_totals() == (0, 0)
    assert not DailyFigure.objects.exists()


def _generate(count: int, seed: int) -> None:
    """Cases written with bulk_create (no events), dates around local midnight, reviews
    without items or due dates, ratings of every level and their rectifications."""
    from tests.applications.factories import make_applicant

    rng = random.Random(seed)
    applicant = make_applicant("operator", name="基准测试企业")
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="41"))[:40]
    items = [i for i in ServiceItem.objects.all() if i.kind != "account"]
    reviews, review_items, picks = [], [], []
    for n in range(count):
        day = datetime.date(2025, 6, 1) + datetime.timedelta(days=rng.randrange(400))
        hour = rng.choice((0, 9, 15, 23))
        submitted = aware(day, hour)
        state = rng.choice(STATES)
        decided = submitted + datetime.timedelta(days=rng.randrange(0, 15), hours=rng.randrange(9))
        application = Application.objects.create(
            applicant=applicant,
            kind=rng.choice(("joint_installation", "construction_subsidy", "account")),
            reference=f"SQT{n:09d}",
            region=rng.choice(counties),
            state=state,
            submitted_at=None if state == "draft" else submitted,
            decided_at=decided if state in ("approved", "rejected") else None,
        )
        chosen = rng.sample(items, rng.choice((1, 2, 3)))
        application.items.set(chosen)
        for department_id in {i.department_id for i in chosen}:
            finished = state in ("approved", "rejected") or rng.random() < 0.2
            reviews.append(
                DepartmentReview(
                    application=application,
                    department_id=department_id,
                    status=rng.choice(("approved", "rejected")) if finished else "pending",
                    received_at=submitted,
                    due_date=None
                    if rng.random() < 0.1
                    else (submitted.date() + datetime.timedelta(days=rng.randrange(12))),
                    decided_at=decided if finished else None,
                )
            )
            picks.append(
                [i for i in chosen if i.department_id == department_id and rng.random() < 0.9]
            )
        if state in ("approved", "rejected") and rng.random() < 0.5:
            rating = Rating.objects.create(
                application=application,
                level=rng.choice(Level.values),
                channel="online",
                department_id=chosen[0].department_id,
                created_at=decided,
            )
            if rating.level <= Level.DISSATISFIED:
                Rectification.objects.create(
                    rating=rating,
                    department_id=rating.department_id,
                    state=rng.choice(Rectification.State.values),
                    opened_at=decided,
                    due_date=decided.date() + datetime.timedelta(days=rng.randrange(-20, 20)),
                )
    reviews = DepartmentReview.objects.bulk_create(reviews)
    for review, chosen in zip(reviews, picks, strict=True):
        review_items.extend(
            DepartmentReview.items.through(departmentreview_id=review.pk, serviceitem_id=i.pk)
            for i in chosen
        )
    DepartmentReview.items.through.objects.bulk_create(review_items)


def test_generated_data_rebuilt_summary_equals_the_raw_figures(catalogue):
    _generate(250, seed=16)
    assert stats_raw.differences(TODAY) != []  # written without events: stale

    assert summary.rebuild() > 0
    assert stats_raw.differences(TODAY) == []
    for slug, rows in table_rows().items():
        assert rows, slug

    # The rating figures read their own tables: checked against a plain count.
    levels = Counter(Rating.objects.values_list("level", flat=True))
    data = stats.summary(TODAY)
    tables = {t.slug: t for t in data["tables"]}
    assert tables["satisfaction"].rows == [[label, levels[v]] for v, label in Level.choices]
    states = Counter(Rectification.objects.values_list("state", flat=True))
    late = sum(1 for r in Rectification.objects.all() if r.state == "open" and r.due_date < TODAY)
    expected = [[label, states[v]] for v, label in Rectification.State.choices]
    assert tables["rectification"].rows == [*expected, ["其中超期未答复", late]]
    assert data["bad"] == sum(n for level, n in levels.items() if level <= Level.DISSATISFIED)

    # A moved decision date is seen by the raw figures only, until the next rebuild.
    review = DepartmentReview.objects.filter(status="approved").first()
    DepartmentReview.objects.filter(pk=review.pk).update(
        decided_at=review.decided_at + datetime.timedelta(days=30)
    )
    assert stats_raw.differences(TODAY) != []
    with pytest.raises(SystemExit):
        call_command("rebuild_statistics", "--check")
    call_command("rebuild_statistics")
    call_command("rebuild_statistics", "--check")
    assert stats_raw.differences(TODAY) == []


def test_rating_through_the_workflow_keeps_the_summary(operator, reviewers):
    case = finished_case(operator, reviewers, items=[POWER_ITEM])
    ratings.rate_online(case, user=operator.user, level=1, comment="太慢")
    assert stats_raw.differences(TODAY) == []
    assert table_rows()["satisfaction"][4] == ["非常不满意", 1]
