"""The year boundary: the missing-calendar warning, the year's notice form with its
preview, and the deadlines computed once the year is entered (workdays/coverage.py,
workdays/notice.py, workdays/views.py)."""

import datetime
import json

import pytest
from django.urls import reverse

from applications.models import DepartmentReview
from catalogue.models import ApplicantType, ApplicationKind
from tests.applications import factories
from workdays.calendar import add_working_days, is_working_day
from workdays.coverage import MissingYear, missing_years, recompute_flagged_deadlines
from workdays.models import CalendarYear, SpecialDay
from workdays.notice import NoticeForm, parse_line, save_notice, year_preview

pytestmark = pytest.mark.django_db

D = datetime.date
NOTICE_URL = "/admin/workdays/notice/"
# The sidebar menu is JSON in the page, non-ASCII text \u-escaped.
MENU_LABEL = json.dumps("录入年度安排")[1:-1]
NOTICE_2027 = {
    "year": "2027",
    "published_on": "2026-11-04",
    "holidays": "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n春节 2027-02-06 至 2027-02-13",
    "workdays": "春节 2月14日（周日）上班\n春节 2027-02-20",
    "note": "国办发明电〔2026〕7号",
}


@pytest.fixture
def no_2027():
    """2027 is the year after the seeded calendar: make sure it is missing."""
    SpecialDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("cal", "c@example.com", "pw"))
    return client


def reviewer(code: str):
    """A department's reviewer with access to the admin (and no calendar permissions)."""
    from django.contrib.auth.models import Permission

    factories.ensure_reference_data()
    user = factories.make_reviewer(code)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def flagged_review() -> DepartmentReview:
    """An account registration received Wednesday 2026-12-30: 3 working days reach 2027."""
    factories.ensure_reference_data()
    applicant = factories.make_applicant(ApplicantType.OPERATOR, status="pending")
    application = factories.make_application(applicant, ApplicationKind.ACCOUNT)
    factories.attach(application, "business-licence", factories.png_upload("营业执照.png"))
    return factories.submit(application).reviews.get()


# --- parsing the notice --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("元旦：1月1日至3日", ("元旦", D(2027, 1, 1), D(2027, 1, 3))),
        (
            "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。",
            ("元旦", D(2027, 1, 1), D(2027, 1, 3)),
        ),
        ("春节 2027-02-06 至 2027-02-13", ("春节", D(2027, 2, 6), D(2027, 2, 13))),
        ("国庆节 9月30日至10月7日", ("国庆节", D(2027, 9, 30), D(2027, 10, 7))),
        ("劳动节 2027年5月1日—2027年5月5日", ("劳动节", D(2027, 5, 1), D(2027, 5, 5))),
        ("五一 5/1", ("五一", D(2027, 5, 1), D(2027, 5, 1))),
        ("春节 2月14日（周日）上班", ("春节", D(2027, 2, 14), D(2027, 2, 14))),
        # exactly the longest block one line may give (15 days)
        ("春节 2月1日至15日", ("春节", D(2027, 2, 1), D(2027, 2, 15))),
    ],
)
def test_a_notice_line_gives_its_name_and_range(line, expected):
    assert parse_line(line, 2027) == expected


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2月14日", "请写明节日名称"),
        ("春节 2月30日", "日期不存在"),
        ("春节 14日", "请写明月份"),
        ("春节 2026-12-31", "日期 2026-12-31 不在 2027 年内"),
        ("元旦 12月31日至1月2日", "结束日期早于开始日期"),
        ("春节 2月20日至2月10日", "结束日期早于开始日期"),
        ("春节 2月1日至16日", "一行的日期范围不能超过 15 天"),  # one past the limit
        ("春节放假", "无法识别"),
        ("节" * 51 + " 2月1日", "节日名称不能超过 50 个字"),
    ],
)
def test_a_wrong_notice_line_is_refused_with_the_reason(line, problem):
    with pytest.raises(ValueError, match=problem):
        parse_line(line, 2027)


def test_a_name_of_exactly_fifty_characters_is_kept():
    assert parse_line("节" * 50 + " 2月1日", 2027)[0] == "节" * 50


def test_the_form_collects_every_day_and_checks_the_workdays(no_2027):
    form = NoticeForm(NOTICE_2027)
    assert form.is_valid(), form.errors
    days = [(d.date, d.kind, d.name) for d in form.cleaned_data["days"]]
    assert days[:3] == [(D(2027, 1, d), "holiday", "元旦") for d in (1, 2, 3)]
    assert len([d for d in days if d[1] == "holiday"]) == 3 + 8
    assert [d[0] for d in days if d[1] == "workday"] == [D(2027, 2, 14), D(2027, 2, 20)]


def test_the_form_lists_every_problem_line_by_line(no_2027):
    form = NoticeForm(
        {
            "year": "2027",
            "holidays": "元旦 1月1日至3日\n春节 2月30日\n春节 2月6日 至 2月13日\n春节 2月7日",
            "workdays": "春节 2月15日\n元旦 1月2日",
        }
    )
    assert not form.is_valid()
    assert form.errors["holidays"] == [
        "第 2 行“春节 2月30日”：日期不存在。",
        "2027-02-07 重复出现。",
    ]
    assert form.errors["workdays"] == [
        "第 1 行：2027-02-15 是周一，调休上班日应为周六或周日。",
        "2027-01-02 既是放假日又是调休上班日。",
    ]


@pytest.mark.parametrize(
    ("year", "valid"), [("1999", False), ("2000", True), ("2100", True), ("2101", False)]
)
def test_the_year_is_between_2000_and_2100(year, valid):
    form = NoticeForm({"year": year, "holidays": f"元旦 {year}-01-01"})
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["year"] == ["年度应在 2000 至 2100 之间。"]


def test_the_preview_counts_the_working_days_of_the_year():
    days = NoticeForm.initial_for(2026)
    form = NoticeForm({"year": "2026", "holidays": days["holidays"], "workdays": days["workdays"]})
    assert form.is_valid(), form.errors
    # The seeded 2026 days read back through the form give the seeded calendar again.
    assert {(d.date, d.kind, d.name) for d in form.cleaned_data["days"]} == set(
        SpecialDay.objects.filter(date__year=2026).values_list("date", "kind", "name")
    )
    preview = year_preview(2026, form.cleaned_data["days"])
    every_day = [D(2026, 1, 1) + datetime.timedelta(days=n) for n in range(365)]
    assert preview["working_days"] == sum(is_working_day(d) for d in every_day)
    october = preview["months"][9]
    assert october.working_days == sum(is_working_day(d) for d in every_day if d.month == 10)
    first = next(day for day in october.weeks[0] if day)
    assert (first.date, first.working, first.kind, first.name) == (
        D(2026, 10, 1),
        False,
        "holiday",
        "国庆节",
    )
    saturday_workday = next(d for w in october.weeks for d in w if d and d.date == D(2026, 10, 10))
    assert (saturday_workday.working, saturday_workday.kind) == (True, "workday")


# --- the warning ---------------------------------------------------------------------


def test_no_warning_before_october(no_2027):
    assert missing_years(D(2026, 9, 30)) == []


def test_from_first_october_the_next_year_is_reported(no_2027):
    assert missing_years(D(2026, 10, 1)) == [MissingYear(2027, current=False, flagged=0)]
    CalendarYear.objects.create(year=2027)
    assert missing_years(D(2026, 10, 1)) == []


def test_a_missing_current_year_is_reported_at_once(no_2027):
    gap = missing_years(D(2027, 1, 4))
    assert gap == [MissingYear(2027, current=True, flagged=0)]
    assert gap[0].message == (
        "2027 年（本年度）的工作日历尚未录入。请按国务院办公厅节假日安排通知录入该年度。"
    )


@pytest.mark.clock("2026-12-30 10:00")
def test_flagged_deadlines_are_counted_in_the_warning(no_2027):
    review = flagged_review()
    assert (review.due_date, review.calendar_missing_year) == (None, 2027)
    gap = missing_years()
    assert gap == [MissingYear(2027, current=False, flagged=1)]
    assert "1 个办理期限因此无法计算" in gap[0].message
    # A decided review no longer needs its deadline: it is not counted.
    DepartmentReview.objects.filter(pk=review.pk).update(status="approved")
    assert missing_years()[0].flagged == 0


# --- entering the year computes the flagged deadlines ---------------------------------


@pytest.mark.clock("2026-12-30 10:00")
def test_saving_the_notice_computes_the_flagged_deadlines(no_2027):
    review = flagged_review()
    form = NoticeForm(NOTICE_2027)
    assert form.is_valid(), form.errors
    entry, computed = save_notice(form.cleaned_data)

    assert (entry.year, entry.published_on, entry.note) == (
        2027,
        D(2026, 11, 4),
        "国办发明电〔2026〕7号",
    )
    assert SpecialDay.objects.filter(date__year=2027).count() == 13
    assert computed == 1
    review.refresh_from_db()
    # Thursday 31 Dec, then 1–3 Jan off (元旦), Monday 4 and Tuesday 5 Jan.
    assert (review.due_date, review.calendar_missing_year) == (D(2027, 1, 5), None)
    assert review.due_date == add_working_days(D(2026, 12, 30), 3)
    assert missing_years() == []


@pytest.mark.clock("2026-12-30 10:00")
def test_a_deadline_reaching_a_still_missing_year_stays_flagged_with_that_year(no_2027):
    review = flagged_review()
    DepartmentReview.objects.filter(pk=review.pk).update(calendar_missing_year=2025)
    assert recompute_flagged_deadlines([2024]) == 0  # another year: untouched
    review.refresh_from_db()
    assert review.calendar_missing_year == 2025
    assert recompute_flagged_deadlines() == 0
    review.refresh_from_db()
    assert (review.due_date, review.calendar_missing_year) == (None, 2027)


@pytest.mark.clock("2026-12-30 10:00")
def test_entering_the_notice_again_moves_the_deadlines_its_days_touch(
    no_2027, django_capture_on_commit_callbacks
):
    review = flagged_review()
    for holidays, due in [
        ("春节 2027-02-06 至 2027-02-13", D(2027, 1, 4)),  # no 元旦: Thu 31, Fri 1, Mon 4
        ("元旦 1月1日\n春节 2027-02-06 至 2027-02-13", D(2027, 1, 5)),  # 元旦 added
        ("春节 2027-02-06 至 2027-02-13", D(2027, 1, 4)),  # and taken out again
    ]:
        form = NoticeForm({"year": "2027", "holidays": holidays})
        assert form.is_valid(), form.errors
        with django_capture_on_commit_callbacks(execute=True):
            save_notice(form.cleaned_data)
        review.refresh_from_db()
        assert (review.due_date, review.calendar_missing_year) == (due, None)
        assert review.due_date == add_working_days(D(2026, 12, 30), 3)


def test_saving_again_replaces_the_years_days(no_2027):
    form = NoticeForm(NOTICE_2027)
    assert form.is_valid()
    save_notice(form.cleaned_data)
    form = NoticeForm({"year": "2027", "holidays": "元旦 1月1日"})
    assert form.is_valid()
    save_notice(form.cleaned_data)
    assert list(SpecialDay.objects.filter(date__year=2027).values_list("date", "name")) == [
        (D(2027, 1, 1), "元旦")
    ]
    assert CalendarYear.objects.get(year=2027).published_on is None
    assert SpecialDay.objects.filter(date__year=2026).count() == 39  # other years untouched


# --- the admin -----------------------------------------------------------------------


@pytest.mark.clock("2026-11-04 10:00")  # the notice for 2027 is out, not yet entered
def test_the_form_starts_with_the_missing_year_and_previews_without_saving(admin_client, no_2027):
    page = admin_client.get(NOTICE_URL)
    assert page.status_code == 200
    assert page.context["form"].initial == {"year": 2027}

    response = admin_client.post(NOTICE_URL, {**NOTICE_2027, "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    preview = response.context["preview"]
    assert preview["year"] == 2027
    assert f"全年 <strong data-working-days>{preview['working_days']}</strong> 个工作日" in html
    assert "2027-02-14 春节（调休上班）" in html
    assert "保存 2027 年工作日历" in html
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_saving_in_the_admin_stores_the_year_and_says_so(admin_client, no_2027):
    response = admin_client.post(NOTICE_URL, {**NOTICE_2027, "action": "save"}, follow=True)
    assert response.redirect_chain == [(f"{NOTICE_URL}?year=2027", 302)]
    assert "2027 年工作日历已保存（13 个节假日与调休日）。" in response.content.decode()
    assert CalendarYear.objects.filter(year=2027).exists()
    # The saved year comes back in the form for correction.
    assert "元旦 2027-01-01 至 2027-01-03" in response.context["form"].initial["holidays"]


def test_a_wrong_notice_is_shown_again_and_nothing_is_saved(admin_client, no_2027):
    response = admin_client.post(
        NOTICE_URL, {**NOTICE_2027, "workdays": "春节 2月15日", "action": "save"}
    )
    assert response.status_code == 200
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_only_calendar_editors_may_enter_a_year(client, no_2027):
    client.force_login(reviewer("power"))
    # Wagtail turns the refusal into a redirect to the dashboard with its message.
    for response in (
        client.get(NOTICE_URL),
        client.post(NOTICE_URL, {**NOTICE_2027, "action": "save"}),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    home = client.get("/admin/").content.decode()
    assert MENU_LABEL not in home  # no menu item for the form either
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.clock("2026-10-01 09:00")
def test_the_dashboard_warns_from_october_with_a_link(admin_client, no_2027):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-missing-calendar="2027"' in html
    assert "2027 年（下一年度）的工作日历尚未录入" in html
    assert f'href="{NOTICE_URL}?year=2027"' in html
    assert MENU_LABEL in html  # the form's menu item under 工作日历


@pytest.mark.clock("2026-09-30 09:00")
def test_the_dashboard_is_quiet_before_october(admin_client, no_2027):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "data-missing-calendar" not in html


@pytest.mark.clock("2026-12-30 10:00")
def test_the_reviewers_list_warns_without_the_link(client, no_2027):
    review = flagged_review()
    client.force_login(reviewer("platform"))
    html = client.get("/admin/review/").content.decode()
    assert review.application.reference in html
    assert "2027 年（下一年度）的工作日历尚未录入，1 个办理期限因此无法计算" in html
    assert "请联系管理员录入" in html
    assert NOTICE_URL not in html
