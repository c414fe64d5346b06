"""好差评: five levels, one online rating per case, staff-entered phone/window ratings,
and a 差评 followed through rectification, reply, acceptance or one appeal."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.urls import reverse

from applications.workflow import WorkflowError
from notifications import ratings
from notifications.models import Rating, Rectification
from tests.applications.factories import PASSWORD, POWER_ITEM, make_user
from workdays.calendar import add_working_days

from .helpers import finished_case, inbox

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days


def test_a_bad_rating_opens_a_rectification_with_a_working_day_deadline(operator, reviewers):
    application = finished_case(operator, reviewers)
    with pytest.raises(WorkflowError, match="请选择涉及的部门"):
        ratings.rate_online(application, user=operator.user, level=2)
    urban = application.reviews.get(department__code="urban").department
    rating = ratings.rate_online(
        application, user=operator.user, level="1", comment="现场踏勘迟到", department_id=urban.pk
    )
    assert rating.get_level_display() == "非常不满意" and rating.is_bad
    rectification = rating.rectification
    opened = rectification.opened_at.astimezone().date()
    assert rectification.due_date == add_working_days(opened, 5)
    assert (rectification.department, rectification.state) == (urban, "open")
    message = inbox(reviewers["urban"], "rectification_opened").get()
    assert application.reference in message.subject and "现场踏勘迟到" in message.body
    assert not inbox(reviewers["power"], "rectification_opened").exists()


def test_good_ratings_open_nothing_and_one_department_is_implied(operator, reviewers):
    application = finished_case(operator, reviewers, [POWER_ITEM])
    rating = ratings.rate_online(application, user=operator.user, level=3)
    assert rating.department.code == "power"
    assert not Rectification.objects.exists()


def test_reply_accept_and_the_single_appeal(operator, reviewers):
    application = finished_case(operator, reviewers, [POWER_ITEM])
    rating = ratings.rate_online(application, user=operator.user, level=2, comment="太慢")
    rectification = rating.rectification
    with pytest.raises(WorkflowError, match="责任部门答复后"):
        ratings.appeal(rectification, user=operator.user, reason="未答复")
    with pytest.raises(WorkflowError, match="不属于责任部门"):
        ratings.reply(rectification, user=reviewers["urban"], text="已整改")
    ratings.reply(rectification, user=reviewers["power"], text="已约谈经办人，流程提速。")
    message = inbox(operator.user, "rectification_replied").get()
    assert "已约谈经办人" in message.body
    ratings.appeal(rectification, user=operator.user, reason="没有说明何时提速")
    appealed = inbox(reviewers["power"], "rectification_appealed").get()
    assert "没有说明何时提速" in appealed.body and appealed.link.endswith(
        f"/rectifications/{rectification.pk}/"
    )
    with pytest.raises(WorkflowError, match="申诉只能提出一次"):
        ratings.appeal(rectification, user=operator.user, reason="再次申诉")
    ratings.reply(rectification, user=reviewers["power"], text="自下月起即办。")
    rectification.refresh_from_db()
    assert rectification.state == "closed" and rectification.final_reply == "自下月起即办。"
    with pytest.raises(WorkflowError, match="无需答复"):
        ratings.reply(rectification, user=reviewers["power"], text="又一次")


def test_accepting_the_reply_closes_it(operator, reviewers):
    application = finished_case(operator, reviewers, [POWER_ITEM])
    rectification = ratings.rate_online(application, user=operator.user, level=2).rectification
    ratings.reply(rectification, user=reviewers["power"], text="已改进。")
    ratings.accept(rectification, user=operator.user)
    rectification.refresh_from_db()
    assert rectification.state == "accepted" and rectification.closed_at is not None


def test_staff_enter_phone_and_window_ratings_with_their_channel(operator, reviewers):
    application = finished_case(operator, reviewers, [POWER_ITEM])
    ratings.rate_online(application, user=operator.user, level=5)
    phone = ratings.rate_by_staff(
        application, user=reviewers["power"], level=4, channel="phone", comment="电话回访"
    )
    window = ratings.rate_by_staff(application, user=reviewers["power"], level=1, channel="window")
    assert (phone.channel, phone.entered_by) == ("phone", reviewers["power"])
    assert window.rectification.department.code == "power"
    with pytest.raises(WorkflowError, match="电话评价或窗口评价"):
        ratings.rate_by_staff(application, user=reviewers["power"], level=4, channel="online")
    assert application.ratings.count() == 3


def test_staff_rating_form_in_the_admin(client, operator, reviewers):
    application = finished_case(operator, reviewers, [POWER_ITEM])
    admin = make_user("manager-r", is_superuser=True, is_staff=True)
    client.login(username=admin.username, password=PASSWORD)
    url = reverse("notifications_ratings")
    response = client.post(url, {"reference": "SQ000", "level": 4, "channel": "phone"})
    assert response.status_code == 400 and "未找到该申请编号" in response.content.decode()
    response = client.post(
        url, {"reference": application.reference, "level": 2, "channel": "window"}
    )
    assert response.status_code == 302
    rectification = Rectification.objects.get()
    page = client.get(reverse("notifications_rectifications")).content.decode()
    assert application.reference in page and "待整改" in page
    response = client.post(reverse("notifications_rectify", args=[rectification.pk]), {"reply": ""})
    assert response.status_code == 400 and "请填写整改答复" in response.content.decode()
    client.post(reverse("notifications_rectify", args=[rectification.pk]), {"reply": "已改进"})
    rectification.refresh_from_db()
    assert rectification.state == "replied"


def test_a_reviewer_sees_only_their_departments(client, operator, reviewers):
    application = finished_case(operator, reviewers, [POWER_ITEM])
    ratings.rate_online(application, user=operator.user, level=2)
    from django.contrib.auth.models import Permission

    access = Permission.objects.get(codename="access_admin")
    for code in ("power", "urban"):
        reviewers[code].user_permissions.add(access)
    client.force_login(reviewers["urban"])
    assert (
        application.reference not in client.get(reverse("notifications_ratings")).content.decode()
    )
    refused = client.get(reverse("notifications_statistics"))  # Wagtail: back to the dashboard
    assert (refused.status_code, refused.url) == (302, "/admin/")
    client.force_login(reviewers["power"])
    assert application.reference in client.get(reverse("notifications_ratings")).content.decode()


def test_portal_rating_and_appeal(client, operator, reviewers):
    application = finished_case(operator, reviewers)
    client.force_login(operator.user)
    detail = reverse("portal:detail", args=[application.reference])
    html = client.get(detail).content.decode()
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f">{label}</label>" in html
    rate_url = reverse("portal:rate", args=[application.reference])
    response = client.post(rate_url, {"level": 2, "comment": "慢"})
    assert "请选择涉及的部门" in response.content.decode()
    power = application.reviews.get(department__code="power").department
    client.post(rate_url, {"level": 2, "comment": "慢", "department": power.pk})
    rectification = Rectification.objects.get()
    ratings.reply(rectification, user=reviewers["power"], text="已加派人手。")
    html = client.get(detail).content.decode()
    assert "已加派人手" in html and "提出申诉" in html
    client.post(reverse("notifications:appeal", args=[rectification.pk]), {"reason": "仍不满意"})
    rectification.refresh_from_db()
    assert rectification.state == "appealed"
    assert "提出申诉" not in client.get(detail).content.decode()


def test_old_star_ratings_carry_over_as_levels(operator, reviewers):
    """The data migration maps 5 → 非常满意 … 1 → 非常不满意; the historical model still
    had the rating columns, so it is handed rows shaped like them."""
    migration = importlib.import_module("notifications.migrations.0002_seed_templates_and_ratings")
    cases = [finished_case(operator, reviewers, [POWER_ITEM]) for _ in range(5)]
    old_rows = [
        SimpleNamespace(
            pk=case.pk,
            rating=stars,
            rating_comment=f"{stars} 星",
            rated_at=case.decided_at,
            decided_at=case.decided_at,
            updated_at=case.updated_at,
        )
        for case, stars in zip(cases, (5, 4, 3, 2, 1), strict=True)
    ]
    old_rows.append(SimpleNamespace(pk=cases[0].pk, rating=9, rating_comment=""))

    class OldApplications:
        def filter(self, **kwargs):
            return self

        def iterator(self):
            return iter(old_rows)

    class HistoricalApps:
        def get_model(self, app, name):
            if name == "Application":
                return SimpleNamespace(objects=OldApplications())
            return global_apps.get_model(app, name)

    migration.carry_over_ratings(HistoricalApps(), None)
    migration.carry_over_ratings(HistoricalApps(), None)  # idempotent
    got = [
        (r.get_level_display(), r.comment, r.channel)
        for r in Rating.objects.filter(application__in=cases).order_by("-level")
    ]
    assert got == [
        ("非常满意", "5 星", "online"),
        ("满意", "4 星", "online"),
        ("基本满意", "3 星", "online"),
        ("不满意", "2 星", "online"),
        ("非常不满意", "1 星", "online"),
    ]
    assert not Rectification.objects.exists()  # history is not reopened as new 差评
