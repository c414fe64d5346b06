"""审核工作台 in the Wagtail admin: who sees which rows, filters, export, the review page,
material verdicts, 一次性告知, decisions, files, the accounts admin and the demo data."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from accounts.models import Applicant, LoginAttempt
from applications.models import (
    Application,
    DepartmentReview,
    Event,
    Interconnection,
    State,
    SupplementNotice,
)
from catalogue.models import ApplicationKind

from . import factories
from .factories import POWER_ITEM, ROAD_ITEM, TRAFFIC_ITEM

# Deadlines, survey dates and subsidy years count from today: run at a fixed moment inside
# the covered calendar (tests/conftest.py), whatever the real date.
pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

LIST = "/admin/review/"


def page_url(application):
    return f"/admin/review/{application.reference}/"


def grant_admin(*users):
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    for user in users:
        user.user_permissions.add(access)
    return users


def logged_in(client, user):
    client.force_login(user)
    return client


def rows(response):
    """The DepartmentReview rows of a 审核工作台 response."""
    return list(response.context["object_list"])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def staff(reviewers):
    grant_admin(*reviewers.values())
    return reviewers


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-2026")


@pytest.fixture
def joint(builder, private_folder):
    """A submitted joint application for 供电 + 城管: two reviews, two deadlines."""
    return factories.submit(factories.ready_joint_application(builder, (POWER_ITEM, ROAD_ITEM)))


@pytest.fixture
def police_only(operator, private_folder):
    return factories.submit(factories.ready_joint_application(operator, (TRAFFIC_ITEM,)))


@pytest.fixture
def dossier(operator, private_folder):
    station = factories.make_station(operator, "信阳市浉河区羊山充电站", pile_count=12)
    return factories.make_dossier(operator, station)


# --------------------------------------------------------------------------- the list


def test_superuser_sees_every_review(client, superuser, joint, police_only, dossier):
    response = logged_in(client, superuser).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for application in (joint, police_only, dossier):
        assert application.reference in html
    assert len(rows(response)) == DepartmentReview.objects.count() == 4
    assert "审核工作台" in html


def test_each_department_sees_only_its_own_rows(client, staff, joint, police_only, dossier):
    power = rows(logged_in(client, staff["power"]).get(LIST))
    assert [(r.application_id, r.department.code) for r in power] == [(joint.pk, "power")]

    urban = rows(logged_in(client, staff["urban"]).get(LIST))
    assert [(r.application_id, r.department.code) for r in urban] == [(joint.pk, "urban")]

    # The joint application is one row per department, each with its own deadline.
    by_department = {r.department.code: r for r in joint.reviews.select_related("department")}
    assert power[0].due_date == by_department["power"].due_date
    assert urban[0].due_date == by_department["urban"].due_date
    assert power[0].pk != urban[0].pk

    police = rows(logged_in(client, staff["police"]).get(LIST))
    assert {r.application_id for r in police} == {police_only.pk}
    platform = rows(logged_in(client, staff["platform"]).get(LIST))
    assert {r.application_id for r in platform} == {dossier.pk}


def test_people_without_a_department_get_no_menu_and_no_access(client, joint):
    outsider = factories.make_user("outsider")
    grant_admin(outsider)
    client.force_login(outsider)
    home = client.get("/admin/").content.decode()
    assert "审核工作台" not in home and "\\u5ba1\\u6838\\u5de5\\u4f5c\\u53f0" not in home
    refused = client.get(LIST)  # Wagtail turns PermissionDenied into a redirect home
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert client.get(page_url(joint)).status_code == 404


def test_reviewer_menu_shows_the_workbench(client, staff):
    home = logged_in(client, staff["power"]).get("/admin/").content.decode()
    assert "审核工作台" in home or "\\u5ba1\\u6838\\u5de5\\u4f5c\\u53f0" in home


def test_another_departments_application_and_files_are_404(client, staff, police_only):
    attachment = police_only.attachments.first()
    client.force_login(staff["urban"])
    assert client.get(page_url(police_only)).status_code == 404
    assert client.get(f"/admin/review/file/{attachment.pk}/preview/").status_code == 404
    assert client.get(f"/admin/review/file/{attachment.pk}/download/").status_code == 404
    response = client.post(page_url(police_only) + "decide/", {"decision": "approve"})
    assert response.status_code == 404
    assert police_only.reviews.get().status == DepartmentReview.Status.PENDING

    client.force_login(staff["police"])
    assert client.get(page_url(police_only)).status_code == 200
    preview = client.get(f"/admin/review/file/{attachment.pk}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    download = client.get(f"/admin/review/file/{attachment.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:4] in (b"%PDF", b"\x89PNG", b"\xff\xd8\xff\xe0")
    assert Event.objects.filter(application=police_only, action="downloaded").exists()


def test_filters(client, superuser, joint, police_only, dossier):
    client.force_login(superuser)
    power_review = joint.reviews.get(department__code="power")
    power_review.due_date = timezone.localdate() - datetime.timedelta(days=3)
    power_review.save()
    urban_review = joint.reviews.get(department__code="urban")
    urban_review.calendar_missing_year, urban_review.due_date = 2099, None
    urban_review.save()

    def pks(query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return {r.pk for r in rows(response)}

    assert pks({"overdue": "yes"}) == {power_review.pk}
    assert power_review.pk not in pks({"overdue": "no"})
    assert pks({"calendar_missing": "yes"}) == {urban_review.pk}
    html = client.get(LIST).content.decode()
    # The row badges, not the filter labels (which say 日历未覆盖/已超期 with no data too).
    assert html.count(">日历未覆盖 2099</span>") == 1
    assert html.count('border-color:#cd4444">已超期</span>') == 1
    assert pks({"kind": ApplicationKind.STATION_DOSSIER}) == {dossier.reviews.get().pk}
    assert pks({"department": power_review.department_id}) == {power_review.pk}
    assert pks({"status": "pending", "state": "submitted"}) == set(
        DepartmentReview.objects.values_list("pk", flat=True)
    )
    assert len(pks({"region": "411500"})) == 4  # 信阳市 covers 浉河区
    assert pks({"region": "410100"}) == set()  # 郑州市
    # police_only and dossier belong to the same operator.
    assert pks({"q": police_only.applicant.credit_code}) == {
        police_only.reviews.get().pk,
        dossier.reviews.get().pk,
    }
    assert pks({"q": joint.applicant.name[:6]}) >= {power_review.pk, urban_review.pk}
    assert pks({"q": joint.reference}) == {power_review.pk, urban_review.pk}


def test_default_order_is_soonest_deadline_first(client, superuser, joint, dossier):
    listed = rows(logged_in(client, superuser).get(LIST))
    dues = [r.due_date for r in listed]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated)
    assert dues[-1] is None  # 未规定时限 (建站资料) last


def test_department_filter_offers_only_the_users_departments(client, staff, joint):
    response = logged_in(client, staff["power"]).get(LIST)
    choices = list(response.context["filters"].form.fields["department"].queryset)
    assert [d.code for d in choices] == ["power"]


def test_export_xlsx_and_csv_with_deadlines_and_an_audit_entry(client, staff, joint):
    power = joint.reviews.get(department__code="power")
    power.due_date = timezone.localdate() - datetime.timedelta(days=1)
    power.save()
    client.force_login(staff["power"])
    response = client.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    for heading in ("申请编号", "申请人", "部门", "办理期限", "是否超期", "申请状态"):
        assert heading in header
    assert len(values) == 2
    row = dict(zip(header, values[1], strict=True))
    assert row["申请编号"] == joint.reference
    assert row["部门"] == "供电"
    assert row["是否超期"] == "已超期"
    due = row["办理期限"]
    assert (due.date() if isinstance(due, datetime.datetime) else due) == power.due_date

    entry = ModelLogEntry.objects.get(action="applications.export")
    assert entry.user_id == staff["power"].pk
    assert entry.data["references"] == [joint.reference]
    assert Event.objects.filter(application=joint, action="exported").count() == 1

    csv = client.get(LIST, {"export": "csv"})
    text = b"".join(csv.streaming_content).decode("utf-8")
    assert text.splitlines()[0].startswith("申请编号,申请类型")
    assert joint.reference in text
    assert ModelLogEntry.objects.filter(action="applications.export").count() == 2


# --------------------------------------------------------------------------- the review page


def test_review_page_shows_the_application_and_records_the_view(client, staff, dossier):
    client.force_login(staff["platform"])
    response = client.get(page_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    applicant = dossier.applicant
    for text in (
        applicant.name,
        applicant.credit_code,
        "信阳市 浉河区",
        "信阳市浉河区羊山充电站",
        "土建照片",
        "竣工验收报告",
        "SHA-256",
        "开始审核",
        "办理记录",
    ):
        assert text in html, text
    attachment = dossier.attachments.first()
    assert f"/admin/review/file/{attachment.pk}/preview/" in html
    assert Event.objects.filter(application=dossier, action="viewed").count() == 1
    entry = ModelLogEntry.objects.get(action="applications.view")
    assert entry.object_id == str(dossier.pk)
    assert log_registry.get_action_label("applications.view") == "查看申请"


def test_duplicate_files_are_flagged(client, staff, operator, private_folder):
    same = factories.png_bytes(seed=4242)
    first_station = factories.make_station(operator, "一号站")
    second_station = factories.make_station(operator, "二号站")
    first = factories.make_application(operator, ApplicationKind.STATION_DOSSIER)
    factories.attach(first, "civil-works-photo", factories.upload(same, "a.png"))
    factories.attach(first, "equipment-photo", factories.upload(same, "b.png"))
    second = factories.make_dossier(operator, second_station, submit_it=False)
    factories.attach(second, "civil-works-photo", factories.upload(same, "c.png"))
    from applications.models import StationDossier

    StationDossier.objects.create(
        application=first,
        station_name=first_station.name,
        started_on=datetime.date(2026, 1, 5),
        completed_on=datetime.date(2026, 2, 5),
        manager="李强",
        manager_phone="13912345678",
        filed_name=first_station.name,
        filed_address="地址",
    )
    factories.attach_due_materials(first)
    factories.submit(first)
    html = logged_in(client, staff["platform"]).get(page_url(first)).content.decode()
    assert "本申请中有相同文件" in html
    assert "其他申请中出现过相同文件" in html


def test_material_verdicts_and_one_notice_listing_everything(client, staff, dossier):
    client.force_login(staff["platform"])
    assert client.post(page_url(dossier) + "start/").status_code == 302
    assert dossier.reviews.get().status == DepartmentReview.Status.UNDER_REVIEW

    photos = {a.requirement.code: a for a in dossier.attachments.select_related("requirement")}
    civil, equipment = photos["civil-works-photo"], photos["equipment-photo"]
    report = photos["completion-acceptance-report"]

    # Rejecting without a reason is refused with a Chinese message.
    response = client.post(
        page_url(dossier) + f"material/{civil.pk}/", {"verdict": "reject", "note": ""}, follow=True
    )
    assert any("请写明原因" in m for m in messages_of(response))
    civil.refresh_from_db()
    assert civil.verdict == "pending"

    for attachment, note in ((civil, "照片模糊，看不清基础施工"), (equipment, "缺少设备铭牌")):
        client.post(
            page_url(dossier) + f"material/{attachment.pk}/", {"verdict": "reject", "note": note}
        )
    client.post(page_url(dossier) + f"material/{report.pk}/", {"verdict": "accept"})
    report.refresh_from_db()
    assert report.verdict == "accepted"
    assert ModelLogEntry.objects.filter(action="applications.material_verdict").count() == 3

    response = client.post(
        page_url(dossier) + "supplement/",
        {"extra": "请补充场站平面布置图\n\n", "message": "请在 5 个工作日内补正。"},
        follow=True,
    )
    assert response.status_code == 200
    notice = SupplementNotice.objects.get(application=dossier)
    problems = [item["problem"] for item in notice.items]
    assert len(problems) == 3
    assert any("土建照片" in p and "照片模糊" in p for p in problems)
    assert any("设备照片" in p and "缺少设备铭牌" in p for p in problems)
    assert "请补充场站平面布置图" in problems
    html = response.content.decode()
    assert "一次性告知" in html and "请补充场站平面布置图" in html and "缺少设备铭牌" in html
    dossier.refresh_from_db()
    assert dossier.state == State.NEEDS_SUPPLEMENT
    assert ModelLogEntry.objects.filter(action="applications.supplement").exists()


def test_a_reviewer_cannot_judge_another_departments_material(
    client, staff, builder, private_folder
):
    application = factories.ready_joint_application(builder, (POWER_ITEM, ROAD_ITEM))
    power_material = factories.attach(application, "entity-proof")
    factories.submit(application)
    urban_material = application.attachments.filter(
        requirement__item__department__code="urban"
    ).first()

    client.force_login(staff["urban"])
    response = client.post(
        page_url(application) + f"material/{power_material.pk}/",
        {"verdict": "reject", "note": "不清晰"},
        follow=True,
    )
    assert any("由供电审核" in m for m in messages_of(response))
    power_material.refresh_from_db()
    assert power_material.verdict == "pending"

    client.post(page_url(application) + f"material/{urban_material.pk}/", {"verdict": "accept"})
    urban_material.refresh_from_db()
    assert urban_material.verdict == "accepted"


def test_application_is_approved_when_every_department_approves(client, staff, joint):
    client.force_login(staff["power"])
    response = client.post(page_url(joint) + "decide/", {"decision": "reject"}, follow=True)
    assert any("请填写审核意见" in m for m in messages_of(response))
    assert joint.reviews.get(department__code="power").status == "pending"

    client.post(page_url(joint) + "decide/", {"decision": "approve", "opinion": "同意"})
    joint.refresh_from_db()
    assert joint.state == State.UNDER_REVIEW
    assert joint.reviews.get(department__code="power").status == "approved"

    client.force_login(staff["urban"])
    response = client.post(page_url(joint) + "decide/", {"decision": "approve"}, follow=True)
    assert any("装表接电中" in m for m in messages_of(response))
    joint.refresh_from_db()
    assert joint.state == State.CONNECTING  # 办结 after 装表接电 (issue 15)
    assert ModelLogEntry.objects.filter(action="applications.approve").count() == 2

    # Decided: a second decision is refused with the reason.
    response = client.post(
        page_url(joint) + "decide/", {"decision": "reject", "opinion": "x"}, follow=True
    )
    assert any("不能再作结论" in m for m in messages_of(response))


def test_interconnection_secrets_are_never_shown(client, staff, operator):
    factories.make_station(operator, "信阳市浉河区湖东充电站", pile_count=8)
    application = factories.make_application(operator, ApplicationKind.INTERCONNECTION)
    secrets = {
        "access_key": "AK-plain-1234567890abcdef",
        "signing_key": "SK-plain-abcdef1234567890",
        "message_key": "MK-plain-0011223344556677",
        "message_iv": "IV-plain-8899aabbccddeeff",
    }
    Interconnection.objects.create(
        application=application,
        platform_operator=operator.name,
        builder="信阳软件有限公司",
        builder_address="信阳市浉河区",
        liaison="王工",
        engineer="赵工",
        engineer_phone="13812345678",
        platform_name="豫充通",
        scope=Interconnection.Scope.SERVICE,
        station_count=1,
        pile_count=8,
        **secrets,
    )
    factories.submit(application)
    response = logged_in(client, staff["platform"]).get(page_url(application))
    html = response.content.decode()
    assert response.status_code == 200
    for plaintext in secrets.values():
        assert plaintext not in html
        assert plaintext[2:-2] not in html
    assert "AK********ef" in html
    assert "与填写一致" in html


# --------------------------------------------------------------------------- accounts


def test_accounts_admin_lists_searches_and_unlocks(client, staff, operator, builder):
    operator.lock()
    client.force_login(staff["platform"])
    response = client.get("/admin/applicants/", {"q": operator.credit_code})
    assert response.status_code == 200
    assert [a.pk for a in response.context["object_list"]] == [operator.pk]
    assert "已锁定" in response.content.decode()
    assert (
        client.get("/admin/applicants/", {"status": "locked"}).context["object_list"][0].pk
        == operator.pk
    )
    assert client.get(f"/admin/applicants/inspect/{operator.pk}/").status_code == 200

    assert client.get(f"/admin/applicants/unlock/{operator.pk}/").status_code == 200
    response = client.post(f"/admin/applicants/unlock/{operator.pk}/", follow=True)
    operator.refresh_from_db()
    assert operator.status == Applicant.Status.ACTIVE
    assert any("已解锁" in m for m in messages_of(response))
    assert ModelLogEntry.objects.filter(action="accounts.unlock", object_id=str(operator.pk))

    LoginAttempt.objects.create(username="demo", succeeded=False)
    assert client.get("/admin/login-attempts/").status_code == 200


def test_only_platform_staff_unlock_and_read_login_records(client, staff, operator):
    operator.lock()
    client.force_login(staff["power"])
    assert client.get("/admin/applicants/").status_code == 200
    refused = client.post(f"/admin/applicants/unlock/{operator.pk}/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    operator.refresh_from_db()
    assert operator.status == Applicant.Status.LOCKED
    assert client.get("/admin/login-attempts/")["Location"] == "/admin/"


def test_inspect_masks_a_residents_id_number(client, staff, resident):
    html = (
        logged_in(client, staff["platform"])
        .get(f"/admin/applicants/inspect/{resident.pk}/")
        .content.decode()
    )
    assert resident.id_number.plaintext not in html
    assert resident.id_number.masked in html


# --------------------------------------------------------------------------- demo data


def test_load_demo_runs_twice_and_fills_the_workbench(
    home_page, catalogue, private_folder, capsys, client
):
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out

    found = dict(re.findall(r"(reviewer-\w+)  密码：(\S+)", second))
    assert set(found) == {
        "reviewer-power",
        "reviewer-urban",
        "reviewer-police",
        "reviewer-housing",
        "reviewer-platform",
    }
    assert dict(re.findall(r"(reviewer-\w+)  密码：(\S+)", first)) == found
    reviewer = authenticate(username="reviewer-platform", password=found["reviewer-platform"])
    assert reviewer is not None
    assert reviewer.has_perm("wagtailadmin.access_admin")
    assert reviewer.review_departments.get().code == "platform"
    assert Group.objects.filter(name="审核人员", permissions__codename="access_admin").exists()

    applicants = dict(re.findall(r"(demo-\w+)  密码：(\S+)", second))
    assert authenticate(username="demo-operator", password=applicants["demo-operator"])
    operator = Applicant.objects.get(name="河南示例充电科技有限公司")
    assert operator.status == Applicant.Status.ACTIVE
    assert operator.region.code == "411502"
    operator.full_clean(exclude=["user"])  # the credit code is valid
    assert operator.stations.filter(name="信阳市浉河区羊山充电站").exists()
    assert operator.stations.get(name="信阳市浉河区羊山充电站").orders.exists()

    dossiers = Application.objects.filter(kind=ApplicationKind.STATION_DOSSIER)
    assert dossiers.count() == 1 and dossiers.get().state == State.SUBMITTED
    assert dossiers.get().attachments.count() >= 5

    from django.conf import settings

    for name in ("demo-reviewers.txt", "demo-applicants.txt"):
        assert (settings.VAR_DIR / name).stat().st_mode & 0o777 == 0o600

    client.force_login(reviewer)
    listed = rows(client.get(LIST))
    assert dossiers.get().pk in {r.application_id for r in listed}


def test_csv_exports_neutralise_formulas(client, superuser, joint):
    """CSV formula injection: a cell an applicant controls never starts a formula."""
    Application.objects.filter(pk=joint.pk).update(title="=cmd|' /C calc'!A0")
    Applicant.objects.filter(pk=joint.applicant_id).update(
        name='=HYPERLINK("http://evil.example","点击")'
    )
    client.force_login(superuser)
    csv = client.get(LIST, {"export": "csv"})
    text = b"".join(csv.streaming_content).decode("utf-8")
    assert "'=cmd|' /C calc'!A0" in text
    assert "'=HYPERLINK(" in text
    for cell in (c for line in text.splitlines() for c in line.split(",")):
        assert not cell.lstrip('"').startswith(("=", "+", "@")), cell
    # Wagtail's own reports write CSV through the same writer.
    report = client.get("/admin/reports/site-history/", {"export": "csv"})
    assert report.status_code == 200


def test_reviewers_list_only_applicants_their_departments_handle(
    client, staff, joint, resident, superuser
):
    """A department reviewer sees the applicants of applications it reviews; a resident
    with nothing there stays hidden, in the list and behind the inspect URL."""
    client.force_login(staff["power"])
    names = [a.name for a in rows(client.get("/admin/applicants/"))]
    assert joint.applicant.name in names
    assert resident.name not in names
    assert client.get(f"/admin/applicants/inspect/{resident.pk}/").status_code == 404
    assert client.get(f"/admin/applicants/inspect/{joint.applicant_id}/").status_code == 200
    client.force_login(staff["platform"])
    assert resident.name in [a.name for a in rows(client.get("/admin/applicants/"))]
