"""The applicant portal (我的办事) through the Django test client.

Files are generated here with Pillow (PNG images and PDF documents).
"""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from stdnum.cn import uscc

from accounts.models import Applicant
from applications import workflow
from applications.materials import add_attachment, requirement_for
from applications.models import (
    Application,
    DepartmentReview,
    Event,
    State,
)
from applications.portal import pages
from catalogue.models import ApplicantType, ApplicationKind, Department
from cms.storage import private_file_response
from interconnect.models import ChargeOrder
from regions.models import Region
from tests.applications.factories import make_station

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Charge-Henan-2026"


@pytest.fixture(autouse=True)
def reference_data(db):
    """Regions, catalogue and calendar: a transactional test elsewhere may have flushed
    the data migrations' rows."""
    from tests.applications.factories import ensure_reference_data

    ensure_reference_data()


# --------------------------------------------------------------------------- builders


def png_bytes(colour=(30, 120, 200), size=(240, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes(colour=(255, 255, 255)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (210, 297), colour).save(buf, "PDF")
    return buf.getvalue()


def png(name="照片.png", **kwargs):
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def pdf(name="报告.pdf", **kwargs):
    return SimpleUploadedFile(name, pdf_bytes(**kwargs), content_type="application/pdf")


def credit_code(n: int) -> str:
    base = f"91411500{n:09d}"
    return base + uscc.calc_check_digit(base)


_counter = iter(range(100, 10_000))


def make_applicant(username, kind=ApplicantType.BUILDER, status=Applicant.Status.ACTIVE):
    user = User.objects.create_user(username=username, password=PASSWORD)
    applicant = Applicant.objects.create(
        user=user,
        kind=kind,
        name=f"{username}新能源有限公司",
        credit_code=credit_code(next(_counter)),
        contact_name="王工",
        mobile="13812345678",
        region=Region.objects.get(code="411502"),
        status=status,
    )
    return applicant


@pytest.fixture
def builder():
    return make_applicant("builder")


@pytest.fixture
def operator():
    return make_applicant("operator", kind=ApplicantType.OPERATOR)


@pytest.fixture
def other():
    return make_applicant("other")


@pytest.fixture
def reviewer():
    user = User.objects.create_user(username="reviewer", password=PASSWORD)
    Department.objects.get(code="platform").members.add(user)
    return user


@pytest.fixture
def stations(builder):
    return [
        make_station(builder, "信阳火车站充电站", pile_count=12),
        make_station(builder, "羊山新区充电站", pile_count=8),
    ]


def login(client, applicant):
    client.force_login(applicant.user)
    return client


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def html_of(response) -> str:
    return response.content.decode()


DOSSIER_FORM = {
    "station_name": "信阳火车站充电站",
    "started_on": "2026-03-01",
    "completed_on": "2026-06-30",
    "manager": "陈站长",
    "manager_phone": "13912345678",
    "filed_name": "信阳火车站充电站",
    "filed_address": "信阳市浉河区新华东路 1 号",
}

DOSSIER_FILES = {
    "civil-works-photo": lambda: png("土建照片.png", colour=(10, 20, 30)),
    "equipment-photo": lambda: png("设备照片.png", colour=(40, 50, 60)),
    "product-certificate": lambda: pdf("产品合格证.pdf", colour=(250, 250, 250)),
    "completion-acceptance-report": lambda: pdf("竣工验收报告.pdf", colour=(240, 240, 240)),
    "final-accounts-report": lambda: pdf("财务决算报告.pdf", colour=(230, 230, 230)),
}


def create(client, kind, **post):
    response = client.post(url("new", kind), post)
    assert response.status_code == 302, html_of(response)
    reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Application.objects.get(reference=reference)


def upload(client, application, code, *files):
    requirement = requirement_for(application, code)
    return client.post(url("upload", application.reference, requirement.pk), {"files": list(files)})


def complete_dossier(client, application, form=None):
    response = client.post(url("detail", application.reference), form or DOSSIER_FORM)
    assert response.status_code == 302, html_of(response)
    for code, make in DOSSIER_FILES.items():
        response = upload(client, application, code, make())
        assert response.status_code == 302, html_of(response)


def submitted_dossier(applicant, station, user=None):
    """A dossier made and submitted through the core functions (for other tests)."""
    from applications.forms import save_detail

    application = workflow.create_application(
        applicant, ApplicationKind.STATION_DOSSIER, user=applicant.user
    )
    _, form = save_detail(application, {**DOSSIER_FORM, "station_name": station.name})
    assert not form.errors, form.errors
    for code, make in DOSSIER_FILES.items():
        add_attachment(application, requirement_for(application, code), make(), user=applicant.user)
    return workflow.submit(application, user=applicant.user)


# --------------------------------------------------------------------------- dashboard


def test_dashboard_lists_own_applications_with_filters(client, builder, other):
    login(client, builder)
    mine = workflow.create_application(builder, ApplicationKind.INTERCONNECTION, user=builder.user)
    workflow.create_application(builder, ApplicationKind.STATION_DOSSIER, user=builder.user)
    theirs = workflow.create_application(other, ApplicationKind.INTERCONNECTION, user=other.user)

    html = html_of(client.get(url("dashboard")))
    assert mine.reference in html
    assert theirs.reference not in html
    assert "<caption>我的申请（共 2 件）</caption>" in html

    html = html_of(client.get(url("dashboard"), {"kind": "interconnection"}))
    assert mine.reference in html and "共 1 件" in html
    html = html_of(client.get(url("dashboard"), {"state": "submitted"}))
    assert "没有符合筛选条件的申请" in html
    # Unknown filter values are ignored rather than failing.
    assert client.get(url("dashboard"), {"kind": "nope", "page": "x"}).status_code == 200


def test_dashboard_new_menu_lists_eligible_kinds_only(client, builder, operator):
    login(client, builder)
    html = html_of(client.get(url("dashboard")))
    menu = html[html.index('class="new-menu"') : html.index("</details>")]
    assert url("new", "station_dossier") in menu
    assert url("new", "construction_subsidy") in menu
    assert url("new", "joint_installation") in menu
    assert url("new", "operator_registration") not in menu  # builders need none
    assert url("new", "operation_subsidy") not in menu
    assert "account" not in menu

    login(client, operator)
    menu = html_of(client.get(url("dashboard")))
    assert url("new", "operator_registration") in menu
    assert url("new", "operation_subsidy") in menu


def test_dashboard_pagination(client, builder):
    login(client, builder)
    for _ in range(pages.PAGE_SIZE + 3):
        workflow.create_application(builder, ApplicationKind.INTERCONNECTION, user=builder.user)
    html = html_of(client.get(url("dashboard"), {"kind": "interconnection"}))
    assert 'class="pagination"' in html
    assert "?kind=interconnection&amp;page=2" in html
    html = html_of(client.get(url("dashboard"), {"kind": "interconnection", "page": 2}))
    assert html.count('data-label="申请编号"') == 3


def test_dashboard_shows_department_deadlines(client, builder):
    login(client, builder)
    application = workflow.create_application(
        builder, ApplicationKind.INTERCONNECTION, user=builder.user
    )
    DepartmentReview.objects.create(
        application=application,
        department=Department.objects.get(code="platform"),
        received_at=timezone.now(),
        due_date=date(2026, 12, 3),
    )
    html = html_of(client.get(url("dashboard")))
    assert "省平台：2026-12-03" in html


def test_pending_applicant_cannot_start_applications(client):
    pending = make_applicant("pending", status=Applicant.Status.PENDING)
    login(client, pending)
    html = html_of(client.get(url("dashboard")))
    assert "账号待审核" in html
    assert "新建申请" not in html
    response = client.post(url("new", "station_dossier"))
    assert response.status_code == 200
    assert "账号尚未通过审核或已被锁定" in html_of(response)
    assert not Application.objects.filter(applicant=pending).exists()


def test_new_application_unknown_kind_is_404(client, builder):
    login(client, builder)
    assert client.get(url("new", "account")).status_code == 404
    assert client.get(url("new", "nonsense")).status_code == 404


def test_builder_may_not_register_as_operator(client, builder):
    login(client, builder)
    response = client.post(url("new", "operator_registration"))
    assert "充电设施建设方不能办理“运营商注册”" in html_of(response)
    assert not Application.objects.exists()


# --------------------------------------------------------------------------- stations


def test_stations_page(client, builder, stations):
    login(client, builder)
    html = html_of(client.get(url("stations")))
    assert "信阳火车站充电站" in html and "羊山新区充电站" in html
    assert "共 2 座充电站、20 台充电设备" in html
    assert "互联互通数据异常" in html and "尚未收到充电接口状态数据" in html
    assert html.count("未绑定") == 2
    dossier = submitted_dossier(builder, stations[0])
    html = html_of(client.get(url("stations")))
    assert f'已绑定（<a href="{url("detail", dossier.reference)}">' in html
    assert html.count("未绑定") == 1


# --------------------------------------------------------------------------- station dossier


def test_station_dossier_journey(client, builder, stations):
    login(client, builder)
    html = html_of(client.get(url("new", "station_dossier")))
    assert "建站资料" in html and "创建申请" in html
    application = create(client, "station_dossier")
    assert application.state == State.DRAFT

    page = html_of(client.get(url("detail", application.reference)))
    for name in (
        "土建照片",
        "设备照片",
        "产品合格证（含检测报告）",
        "竣工验收报告",
        "财务决算报告",
    ):
        assert name in page
    assert "材料类型及来源" in page and "电子或原件扫描件" in page
    assert 'accept=".pdf"' in page

    complete_dossier(client, application)
    page = html_of(client.get(url("detail", application.reference)))
    assert page.count("已提供") >= 5
    assert "土建照片.png" in page

    response = client.post(url("submit", application.reference))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.detail.station == stations[0]
    page = html_of(client.get(response["Location"]))
    assert "已提交，请等待审核" in page
    assert "<caption>各部门审核进度与办理期限</caption>" in page
    assert "提交申请" in page  # history label
    assert 'action="' + url("upload", application.reference, 1) not in page
    dashboard = html_of(client.get(url("dashboard")))
    assert 'state-submitted">已提交' in dashboard


def test_submission_problems_are_listed_all_at_once(client, builder, stations):
    login(client, builder)
    application = create(client, "station_dossier")
    client.post(
        url("detail", application.reference), {**DOSSIER_FORM, "station_name": "信阳火车站充电桩"}
    )
    response = client.post(url("submit", application.reference))
    assert response.status_code == 200
    html = html_of(response)
    summary = html[html.index('id="submit-problems"') :]
    summary = summary[: summary.index("</div>")]
    problems = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert len(problems) == 6
    assert "名称相近的站点：信阳火车站充电站" in summary
    for name in (
        "土建照片",
        "设备照片",
        "产品合格证（含检测报告）",
        "竣工验收报告",
        "财务决算报告",
    ):
        assert f"缺少“{name}”" in summary
    assert 'role="alert"' in html
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_detail_form_errors_are_shown_on_the_fields(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    response = client.post(
        url("detail", application.reference),
        {**DOSSIER_FORM, "completed_on": "2026-01-01", "manager_phone": "123"},
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "完工时间不能早于开工时间。" in html
    assert 'href="#id_completed_on"' in html
    assert 'id="id_manager_phone_error"' in html
    assert 'aria-invalid="true"' in html


def test_upload_of_wrong_type_shows_the_message(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    response = upload(client, application, "civil-works-photo", pdf("土建照片.pdf"))
    assert response.status_code == 200
    html = html_of(response)
    assert "文件“土建照片.pdf”的实际内容是 PDF 文档" in html
    requirement = requirement_for(application, "civil-works-photo")
    assert f'id="upload-{requirement.pk}-error"' in html
    assert not application.attachments.exists()
    # An executable named like a photo is refused as well.
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 300)
    html = html_of(upload(client, application, "civil-works-photo", fake))
    assert "可能是可执行程序" in html
    assert not application.attachments.exists()


def test_upload_several_files_and_duplicate_warning(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    response = upload(
        client,
        application,
        "equipment-photo",
        png("a.png"),
        png("b.png"),
        png("c.png", colour=(1, 2, 3)),
    )
    assert response.status_code == 302
    assert application.attachments.count() == 3
    html = html_of(client.get(url("detail", application.reference)))
    assert "已上传 3 个文件" in html
    assert html.count("与本申请中另一份文件内容完全相同") == 2


def test_partial_upload_keeps_good_files_and_reports_bad(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    response = upload(client, application, "equipment-photo", png("good.png"), pdf("bad.pdf"))
    assert response.status_code == 200
    html = html_of(response)
    assert "已上传 1 个文件" in html
    assert "bad.pdf" in html
    assert application.attachments.count() == 1


def test_delete_attachment(client, builder, django_capture_on_commit_callbacks):
    login(client, builder)
    application = create(client, "station_dossier")
    upload(client, application, "civil-works-photo", png())
    attachment = application.attachments.get()
    stored = Path(settings.STORAGES["private"]["OPTIONS"]["location"]) / attachment.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("remove_file", application.reference, attachment.pk))
    assert response.status_code == 302
    assert not application.attachments.exists()
    assert not stored.exists()


def test_withdraw_returns_to_draft_and_delete_draft(client, builder, stations):
    login(client, builder)
    application = create(client, "station_dossier")
    complete_dossier(client, application)
    client.post(url("submit", application.reference))
    html = html_of(client.get(url("detail", application.reference)))
    assert "撤回申请" in html and "删除草稿" not in html

    response = client.post(url("withdraw", application.reference))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.detail.station is None
    html = html_of(client.get(response["Location"]))
    assert "申请已撤回" in html and "撤回申请</strong>" in html

    response = client.post(url("delete", application.reference))
    assert response.status_code == 302
    assert response["Location"] == url("dashboard")
    assert not Application.objects.filter(pk=application.pk).exists()


def test_withdraw_of_a_draft_is_refused_with_message(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    response = client.post(url("withdraw", application.reference), follow=True)
    assert "申请当前状态为“草稿”，不能撤回。" in html_of(response)


def test_get_on_actions_is_not_allowed(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    for name in ("submit", "withdraw", "delete", "rate"):
        assert client.get(url(name, application.reference)).status_code == 405


def test_rating_only_after_completion(client, builder, stations, reviewer):
    login(client, builder)
    application = submitted_dossier(builder, stations[0])
    html = html_of(client.get(url("detail", application.reference)))
    assert "提交评价" not in html
    response = client.post(url("rate", application.reference), {"level": 5})
    assert "办结后才能进行评价。" in html_of(response)

    workflow.start_review(application, user=reviewer)
    workflow.decide(application, user=reviewer, approve=True, opinion="资料齐全")
    html = html_of(client.get(url("detail", application.reference)))
    assert "提交评价" in html and "资料齐全" in html and "非常不满意" in html
    response = client.post(url("rate", application.reference), {"level": 9})
    assert "请选择评价等级" in html_of(response)
    response = client.post(url("rate", application.reference), {"level": 4, "comment": "很快"})
    assert response.status_code == 302
    rating = application.ratings.get()
    assert rating.level == 4 and rating.comment == "很快"
    html = html_of(client.get(url("detail", application.reference)))
    assert "<strong>满意</strong>，很快" in html and "提交评价" not in html
    assert "满意度评价" in html  # history


def test_supplement_notice_is_listed_prominently(client, builder, stations, reviewer):
    login(client, builder)
    application = submitted_dossier(builder, stations[0])
    workflow.start_review(application, user=reviewer)
    photo = application.attachments.get(requirement__code="civil-works-photo")
    workflow.judge_material(photo, user=reviewer, accepted=False, note="照片模糊")
    workflow.request_supplement(
        application, user=reviewer, extra=["请补充场站全景照片"], message="请一次补齐。"
    )
    html = html_of(client.get(url("detail", application.reference)))
    notice = html[html.index('class="supplement-notice"') :]
    notice = notice[: notice.index("</section>")]
    assert "一次性告知：请补正以下 2 项后重新提交" in notice
    assert "照片模糊" in notice and "请补充场站全景照片" in notice
    assert "审核结论：不合格（照片模糊）" in html
    assert "提交补正" in html  # the supplement can be uploaded and resubmitted
    assert "一次性告知补正" in html


def test_calendar_gap_is_flagged(client, builder, stations):
    login(client, builder)
    application = submitted_dossier(builder, stations[0])
    DepartmentReview.objects.filter(application=application).update(
        due_date=None, calendar_missing_year=2031
    )
    html = html_of(client.get(url("detail", application.reference)))
    assert "日历未覆盖" in html and "2031 年工作日历尚未发布" in html


# --------------------------------------------------------------------------- access


@pytest.fixture
def foreign(other):
    """An operation-subsidy application of another applicant, with one file."""
    other.kind = ApplicantType.OPERATOR
    other.save()
    application = workflow.create_application(
        other, ApplicationKind.OPERATION_SUBSIDY, user=other.user
    )
    from applications.forms import save_detail

    save_detail(application, {"year": 2026})
    attachment = add_attachment(
        application, requirement_for(application, "signed-order-list"), pdf(), user=other.user
    )
    return application, attachment


def test_someone_elses_application_is_404_everywhere(client, builder, foreign):
    application, attachment = foreign
    login(client, builder)
    ref = application.reference
    for response in (
        client.get(url("detail", ref)),
        client.get(url("download", attachment.pk)),
        client.get(url("preview", attachment.pk)),
        client.get(url("orders_xlsx", ref)),
        client.get(url("orders_csv", ref)),
        client.get(url("change_items", ref)),
        client.post(url("submit", ref)),
        client.post(url("withdraw", ref)),
        client.post(url("delete", ref)),
        client.post(url("detail", ref), {"year": 2025}),
        client.post(url("remove_file", ref, attachment.pk)),
        client.post(url("upload", ref, attachment.requirement_id), {"files": [pdf()]}),
    ):
        assert response.status_code == 404
    assert Application.objects.filter(pk=application.pk).exists()
    assert application.attachments.count() == 1


def test_anonymous_is_sent_to_login(client, foreign):
    application, attachment = foreign
    for path in (url("detail", application.reference), url("download", attachment.pk)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --------------------------------------------------------------------------- files


def test_owner_download_and_preview(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    upload(client, application, "product-certificate", pdf("产品 合格证.pdf"))
    attachment = application.attachments.get()
    response = client.get(url("download", attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "attachment" in response["Content-Disposition"]
    assert "%E4%BA%A7%E5%93%81" in response["Content-Disposition"]  # 产品
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert not Event.objects.filter(action="downloaded").exists()

    response = client.get(url("preview", attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_reviewer_download_is_recorded(client, builder, stations, reviewer):
    application = submitted_dossier(builder, stations[0])
    attachment = application.attachments.first()
    client.force_login(reviewer)
    response = client.get(url("download", attachment.pk))
    assert response.status_code == 200
    event = Event.objects.get(action="downloaded")
    assert event.actor == reviewer and attachment.original_name in event.note
    # The applicant's history shows the steps, not the reviewers' reads.
    login(client, builder)
    assert "下载材料" not in html_of(client.get(url("detail", application.reference)))


def test_s3_storage_redirects_to_a_presigned_url():
    calls = {}

    class FakeS3:
        bucket_name = "portal"

        def url(self, name, parameters=None, expire=None):
            calls.update(name=name, parameters=parameters, expire=expire)
            return f"https://s3.example.com/portal/{name}?X-Amz-Signature=abc"

    response = private_file_response(
        "private/applications/1/x.pdf",
        filename="营业执照.pdf",
        content_type="application/pdf",
        as_attachment=True,
        storage=FakeS3(),
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://s3.example.com/portal/")
    assert response["Cache-Control"] == "private, no-store"
    disposition = calls["parameters"]["ResponseContentDisposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert calls["expire"] is None  # the storage's own short expiry


# --------------------------------------------------------------------------- operation subsidy


@pytest.fixture
def subsidy(client, operator):
    station = make_station(operator, '=HYPERLINK("x")站', pile_count=4)
    other_station = make_station(operator, "平桥充电站", pile_count=2)
    tz = timezone.get_current_timezone()
    for n, (st, day) in enumerate([(station, 5), (other_station, 6), (station, 7)], start=1):
        start = datetime(2026, 3, day, 9, 0, tzinfo=tz)
        ChargeOrder.objects.create(
            station=st,
            start_charge_seq=f"ORD2026{n:04d}",
            started_at=start,
            ended_at=start + timedelta(hours=1),
            energy_kwh=Decimal("30.500"),
            amount=Decimal("45.75"),
        )
    ChargeOrder.objects.create(
        station=station,
        start_charge_seq="ORD2025LAST",
        started_at=datetime(2025, 12, 31, 9, tzinfo=tz),
        ended_at=datetime(2025, 12, 31, 10, tzinfo=tz),
        energy_kwh=Decimal("1"),
        amount=Decimal("1"),
    )
    login(client, operator)
    application = create(client, "operation_subsidy")
    response = client.post(url("detail", application.reference), {"year": 2026})
    assert response.status_code == 302
    return application


def test_orders_xlsx_export(client, subsidy):
    html = html_of(client.get(url("detail", subsidy.reference)))
    assert "共 3 条订单" in html
    response = client.get(url("orders_xlsx", subsidy.reference))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    flat = [str(v) for row in values for v in row if v is not None]
    assert "ORD20260001" in flat and "ORD20260003" in flat
    assert "ORD2025LAST" not in flat
    assert values[1][:3] == ("序号", "充电站名称", "订单编号")
    total = next(row for row in values if row[0] == "合计")
    assert Decimal(str(total[6])) == Decimal("137.25")
    assert "申请单位（盖章）：" in values[-1][0] and "负责人签字：" in values[-1][0]
    assert "日期：" in values[-1][0]
    # A station name that looks like a formula is written as text.
    assert '\'=HYPERLINK("x")站' in flat
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in flat)


def test_orders_csv_export(client, subsidy):
    response = client.get(url("orders_csv", subsidy.reference))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "序号"
    numbers = [row[2] for row in rows[2:] if len(row) > 2]
    assert numbers[:3] == ["ORD20260001", "ORD20260002", "ORD20260003"]
    assert rows[-1][0].startswith("申请单位（盖章）：") and "负责人签字：" in rows[-1][0]
    assert "2026-03-05 09:00:00" in rows[2]


def test_orders_export_only_for_operation_subsidy(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    assert client.get(url("orders_csv", application.reference)).status_code == 404


# --------------------------------------------------------------------------- joint installation


def test_joint_installation_item_choice(client, builder):
    login(client, builder)
    html = html_of(client.get(url("new", "joint_installation")))
    assert "<legend>用电报装（只能选择一项）</legend>" in html
    assert 'type="radio" id="item-xy-high-voltage" name="group-0"' in html
    assert "低压居民新装" not in html  # residents only
    assert 'type="checkbox" id="item-xy-road-occupation-excavation"' in html

    response = client.post(
        url("new", "joint_installation"),
        {"items": ["xy-high-voltage", "xy-low-voltage-non-resident"]},
    )
    assert "“用电报装”只能选择一项" in html_of(response)
    response = client.post(url("new", "joint_installation"), {"group-0": ""})
    assert "请至少选择一项联合报装事项。" in html_of(response)
    assert not Application.objects.exists()

    application = create(
        client,
        "joint_installation",
        **{"group-0": "xy-high-voltage", "items": ["xy-traffic-safety-road-works"]},
    )
    codes = set(application.items.values_list("code", flat=True))
    assert codes == {"xy-high-voltage", "xy-traffic-safety-road-works"}
    html = html_of(client.get(url("detail", application.reference)))
    assert "<legend>用电报装</legend>" in html and "<legend>送达方式</legend>" in html
    assert "市政工程审批文件、交通组织方案、交通安全承诺书" in html

    response = client.post(
        url("change_items", application.reference), {"items": ["xy-green-space-trees"]}
    )
    assert response.status_code == 302
    assert list(application.items.values_list("code", flat=True)) == ["xy-green-space-trees"]


# --------------------------------------------------------------------------- repeating rows


OPERATOR_FORM = {
    "company_name": "operator新能源有限公司",
    "registered_capital": "2000",
    "registered_on": "2020-05-01",
    "total_assets": "5000",
    "legal_representative": "赵总",
    "postcode": "464000",
    "phone": "0376-1234567",
    "email": "ops@example.com",
    "registered_address": "信阳市浉河区",
    "mailing_address": "信阳市浉河区",
    "industry": "充电服务",
    "registration_type": "llc",
    "service_scope": "充电设施运营",
    "platform_name": "快充平台",
    "software_copyright_number": "2024SR0123456",
}


def test_technicians_with_certificates(client, operator):
    login(client, operator)
    application = create(client, "operator_registration")
    html = html_of(client.get(url("detail", application.reference)))
    assert "请先填写并保存上方的申请信息" in html
    assert client.post(url("detail", application.reference), OPERATOR_FORM).status_code == 302

    response = client.post(
        url("add_technician", application.reference),
        {
            "tech-name": "电工甲",
            "tech-phone": "13811112222",
            "tech-certificate_number": "DG001",
            "certificate": png("许可证.png"),
        },
    )
    assert response.status_code == 302
    technician = application.detail.technicians.get()
    assert technician.certificate.original_name == "许可证.png"

    response = client.post(
        url("add_technician", application.reference),
        {"tech-name": "电工乙", "tech-certificate_number": "DG001"},
    )
    assert "许可证编号 DG001 已经填写过。" in html_of(response)
    response = client.post(
        url("add_technician", application.reference),
        {
            "tech-name": "电工丙",
            "tech-certificate_number": "DG003",
            "certificate": SimpleUploadedFile("x.png", b"MZ" + b"\x00" * 100),
        },
    )
    html = html_of(response)
    assert "可能是可执行程序" in html and 'value="电工丙"' in html
    assert application.detail.technicians.count() == 1

    page = html_of(client.get(url("detail", application.reference)))
    assert "请在上方“从业技术人员”中逐人填写并上传许可证。" in page
    # The certificate is removed with its technician, not on its own.
    response = client.post(url("remove_file", application.reference, technician.certificate.pk))
    assert application.attachments.count() == 1
    response = client.post(url("remove_technician", application.reference, technician.pk))
    assert response.status_code == 302
    assert not application.detail.technicians.exists()
    assert not application.attachments.exists()


def test_invoice_lines(client, builder, stations):
    submitted_dossier(builder, stations[0])
    login(client, builder)
    application = create(client, "construction_subsidy")
    response = client.post(
        url("detail", application.reference), {"station": stations[1].pk, "subsidy_year": 2026}
    )
    assert "还没有完成建站资料录入" in html_of(response)
    response = client.post(
        url("detail", application.reference), {"station": stations[0].pk, "subsidy_year": 2026}
    )
    assert response.status_code == 302

    line = {
        "invoice-equipment": "dc_pile",
        "invoice-quantity": "2",
        "invoice-cost_name": "直流桩",
        "invoice-invoice_number": "12345678",
        "invoice-invoice_code": "4100123456",
        "invoice-invoice_amount": "100000.00",
        "invoice-used_amount": "60000.00",
        "invoice-issued_on": "2026-04-01",
        "invoice-buyer_name": builder.name,
    }
    response = client.post(
        url("add_invoice_line", application.reference), {**line, "invoice": pdf("发票.pdf")}
    )
    assert response.status_code == 302
    first = application.detail.invoice_lines.get()
    response = client.post(
        url("add_invoice_line", application.reference),
        {
            **line,
            "invoice-equipment": "civil",
            "invoice-used_amount": "40000.00",
            "invoice_file_id": str(first.invoice_file_id),
        },
    )
    assert response.status_code == 302
    assert application.detail.invoice_lines.count() == 2
    assert application.attachments.count() == 1
    assert {ln.invoice_file_id for ln in application.detail.invoice_lines.all()} == {
        first.invoice_file_id
    }

    response = client.post(
        url("add_invoice_line", application.reference),
        {**line, "invoice-used_amount": "200000.00"},
    )
    assert "使用金额不能大于发票金额。" in html_of(response)

    page = html_of(client.get(url("detail", application.reference)))
    assert "<caption>已录入 2 条发票明细</caption>" in page
    assert 'name="invoice_file_id"' in page

    response = client.post(url("remove_invoice_line", application.reference, first.pk))
    assert response.status_code == 302
    assert application.detail.invoice_lines.count() == 1
    assert application.attachments.count() == 1  # still used by the other line


# --------------------------------------------------------------------------- secrets


def test_interconnection_secrets_never_shown(client, builder, stations):
    login(client, builder)
    application = create(client, "interconnection")
    form = {
        "platform_operator": "快充运营",
        "builder": "快充科技",
        "builder_address": "信阳市",
        "liaison": "王工",
        "engineer": "李工",
        "engineer_phone": "13800001111",
        "platform_name": "快充平台",
        "access_key": "ACCESS-KEY-PLAINTEXT-1",
        "signing_key": "SIGNING-KEY-PLAINTEXT-2",
        "message_key": "MESSAGE-KEY-PLAINTEXT-3",
        "message_iv": "MESSAGE-IV-PLAINTEXT-4",
        "scope": "basic",
        "station_count": "2",
        "pile_count": "20",
    }
    assert client.post(url("detail", application.reference), form).status_code == 302
    html = html_of(client.get(url("detail", application.reference)))
    for value in ("ACCESS-KEY-PLAINTEXT-1", "SIGNING-KEY-PLAINTEXT-2", "MESSAGE-IV-PLAINTEXT-4"):
        assert value not in html
    assert "已保存（AC********-1）" in html
    response = client.post(url("submit", application.reference))
    assert response.status_code == 302
    html = html_of(client.get(url("detail", application.reference)))
    assert "ACCESS-KEY-PLAINTEXT-1" not in html
    assert "AC********-1" in html


def test_account_application_cannot_be_deleted(client):
    applicant = make_applicant("newco", status=Applicant.Status.PENDING)
    application = workflow.create_application(
        applicant, ApplicationKind.ACCOUNT, user=applicant.user
    )
    login(client, applicant)
    response = client.post(url("delete", application.reference), follow=True)
    assert "账号注册申请不能删除。" in html_of(response)
    assert Application.objects.filter(pk=application.pk).exists()


def test_history_uses_chinese_labels(client, builder):
    login(client, builder)
    application = create(client, "station_dossier")
    upload(client, application, "civil-works-photo", png())
    html = html_of(client.get(url("detail", application.reference)))
    history = html[html.index('id="history"') :]
    assert "创建申请" in history and "上传材料" in history and "申请人" in history
    assert "uploaded" not in history
