"""办件进度查询 (no login, no oracle, rate-limited), the inbox pages and 统计分析."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from applications import workflow
from applications.models import DepartmentReview
from notifications import ratings, stats, summary
from notifications.stats_views import safe_cell
from tests.applications.factories import PASSWORD, POWER_ITEM, TRAFFIC_ITEM, make_user

from .helpers import aware, inbox, joint_case

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def lookup(client, **params):
    return client.get(reverse("progress"), params, REMOTE_ADDR=params.pop("ip", "10.0.0.1"))


def test_progress_by_mobile_suffix_or_credit_code(client, operator, reviewers):
    application = joint_case(operator)
    workflow.decide(application, user=reviewers["power"], approve=True, opinion="内部意见")
    response = lookup(client, ref=application.reference.lower(), phone4="5678")
    html = response.content.decode()
    assert response.status_code == 200
    assert "审核中" in html and "供电" in html and "城管" in html and "通过" in html
    assert operator.name not in html and operator.name[:2] in html  # masked
    assert "内部意见" not in html  # no opinions
    for attachment in application.attachments.all():
        assert attachment.original_name not in html  # no material
    # the documents issued so far, with their delivery state (documents app)
    assert "受理回执 · 可网上下载" in html and "办结通知书（供电） · 可网上下载" in html
    by_code = lookup(client, ref=application.reference, credit_code=operator.credit_code.lower())
    assert by_code.status_code == 200 and application.reference in by_code.content.decode()


def test_wrong_suffix_and_unknown_reference_answer_alike(client, operator):
    application = joint_case(operator, [POWER_ITEM])
    wrong = lookup(client, ref=application.reference, phone4="0000")
    unknown = lookup(client, ref="SQ209901010001", phone4="5678")
    wrong_code = lookup(client, ref=application.reference, credit_code="91410000MA00000000")
    for response in (wrong, unknown, wrong_code):
        assert response.status_code == 404
        assert "未找到匹配的办件" in response.content.decode()
    assert "审核" not in wrong.content.decode().split("<h1>")[1].split("</form>")[1]


def test_bad_input_gets_a_chinese_400(client):
    assert "请填写手机号码后 4 位" in lookup(client, ref="SQ202601010001").content.decode()
    response = lookup(client, ref="SQ202601010001", phone4="12a4")
    assert response.status_code == 400 and "应为 4 位数字" in response.content.decode()
    assert lookup(client).status_code == 200  # the empty form


def test_rate_limit_per_client_and_per_reference(client, operator):
    application = joint_case(operator, [POWER_ITEM])
    for n in range(10):
        assert lookup(client, ref="SQ209901010001", phone4=f"{n:04d}").status_code == 404
    limited = lookup(client, ref=application.reference, phone4="5678")
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()
    # Another address may still look up, until that reference itself was tried 10 times.
    for n in range(10):
        lookup(client, ref=application.reference, phone4=f"{n:04d}", ip=f"10.0.1.{n}")
    assert lookup(client, ref=application.reference, phone4="5678", ip="10.0.2.1").status_code == (
        429
    )


def test_inbox_unread_count_and_mark_read(client, operator, reviewers):
    application = joint_case(operator, [TRAFFIC_ITEM])
    workflow.decide(application, user=reviewers["police"], approve=True)
    client.force_login(operator.user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    # 部门审核通过, 办件办结 and two 文书已出具 (受理回执; 办结通知书 and 装表接电方案)
    assert 'aria-label="4 条未读"' in html
    message = inbox(operator.user, "case_completed").get()
    page = client.get(reverse("notifications:message", args=[message.pk])).content.decode()
    assert "已办结" in page
    assert 'aria-label="3 条未读"' in client.get(reverse("notifications:inbox")).content.decode()
    client.post(reverse("notifications:read_all"))
    assert "条未读" not in client.get(reverse("notifications:inbox")).content.decode()
    other = make_user("other-user")
    client.force_login(other)
    assert client.get(reverse("notifications:message", args=[message.pk])).status_code == 404


def test_preferences_page(client, operator):
    client.force_login(operator.user)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert "本平台暂未开通短信通道" in html
    client.post(reverse("notifications:preferences"), {"sms": "on"})
    preference = operator.user.notification_preference
    assert (preference.email, preference.sms) == (False, False)  # no SMS channel to choose


# --------------------------------------------------------------------------- statistics


@pytest.fixture
def figures(operator, reviewers):
    """Three cases on fixed dates: one on time, one late, one still open and overdue."""
    on_time, late, open_case = (joint_case(operator, [TRAFFIC_ITEM]) for _ in range(3))
    fixed = [
        (on_time, datetime.date(2026, 3, 2), datetime.date(2026, 3, 4), datetime.date(2026, 3, 3)),
        (late, datetime.date(2026, 3, 2), datetime.date(2026, 3, 6), datetime.date(2026, 3, 9)),
    ]
    for case, received, due, decided in fixed:
        workflow.decide(case, user=reviewers["police"], approve=True)
        DepartmentReview.objects.filter(application=case).update(
            received_at=aware(received), due_date=due, decided_at=aware(decided)
        )
        type(case).objects.filter(pk=case.pk).update(
            submitted_at=aware(received), decided_at=aware(decided)
        )
    DepartmentReview.objects.filter(application=open_case).update(
        received_at=aware(datetime.date(2026, 4, 1)), due_date=datetime.date(2026, 4, 3)
    )
    type(open_case).objects.filter(pk=open_case.pk).update(
        submitted_at=aware(datetime.date(2026, 4, 1))
    )
    ratings.rate_online(on_time, user=operator.user, level=5)
    ratings.rate_online(late, user=operator.user, level=1, comment="=HYPERLINK(1)")
    summary.rebuild()  # the dates above were moved without workflow events
    return on_time, late, open_case


def test_statistics_figures(figures):
    open_case = figures[2]
    data = stats.summary(datetime.date(2026, 4, 10))
    tables = {t.slug: t for t in data["tables"]}
    assert tables["dept"].rows == [["公安", 3]]
    assert tables["state"].rows[0] == ["已通过", 2]
    # 3-02 → 3-03 is 1 working day, 3-02 → 3-09 is 5: average 3.0, one of two on time.
    assert tables["dept-perf"].rows == [["公安", 2, 50.0, 3.0]]
    assert tables["satisfaction"].rows[0] == ["非常满意", 1]
    assert tables["satisfaction"].rows[4] == ["非常不满意", 1]
    assert ["待整改", 1] in tables["rectification"].rows
    months = dict((row[0], row[1:]) for row in tables["monthly"].rows)
    assert months["2026-03"] == [2, 2] and months["2026-04"] == [1, 0]
    assert data["overdue_count"] == 1
    assert data["overdue"].rows[0][0] == open_case.reference and data["overdue"].rows[0][4] == 7


def test_statistics_page_and_xlsx(client, figures):
    manager = make_user("manager-s", is_superuser=True, is_staff=True)
    client.login(username=manager.username, password=PASSWORD)
    url = reverse("notifications_statistics")
    html = client.get(url, {"date": "2026-04-10"}).content.decode()
    assert html.count("<svg") >= 8 and "各部门按时办结率与平均用时" in html
    assert "超期未办结" in html and figures[2].reference in html
    response = client.get(url, {"date": "2026-04-10", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert "满意度分布" in workbook.sheetnames
    assert workbook["超期未办结"]["A2"].value == figures[2].reference


def test_formula_cells_are_neutralised():
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@SUM") == "'@SUM" and safe_cell("-1") == "'-1"
    assert safe_cell("供电") == "供电" and safe_cell(5) == 5
