"""Applicants' and reviewers' journeys through the portal and the review admin, in Chromium.

Each test saves screenshots of its key steps to test-artifacts/screenshots (journey-*.png)
besides the one the ``page``/``phone`` fixture takes at the end.
"""

import re

import pytest
from stdnum.cn import uscc

from tests.applications.factories import (
    PASSWORD,
    ensure_reference_data,
    make_applicant,
    make_dossier,
    make_reviewer,
    make_station,
    pdf_bytes,
    png_bytes,
    unique,
)
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


def label(text: str):
    """A label that starts with ``text`` (after the optional "*" and before "（…）")."""
    return re.compile(rf"^\W?{re.escape(text)}(（.*)?$")


@pytest.fixture
def server(transactional_db, live_server, home_page):
    ensure_reference_data()
    return live_server.url


def write_png(tmp_path, name: str, seed: int | None = None):
    path = tmp_path / name
    path.write_bytes(png_bytes(seed))
    return path


def write_pdf(tmp_path, name: str, seed: int | None = None):
    path = tmp_path / name
    path.write_bytes(pdf_bytes(seed))
    return path


def portal_login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/account/login/")
    page.get_by_label(label("用户名")).fill(username)
    page.get_by_label(label("密码")).fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/account/login/" not in page.url, page.locator(".error-summary").all_inner_texts()


def admin_login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url


def state_of(page) -> str:
    return page.locator(".facts .state").first.inner_text()


def material_section(page, name: str):
    return page.locator("section.material").filter(
        has=page.get_by_role("heading", level=3, name=re.compile(re.escape(name)))
    )


def upload_material(page, name: str, path) -> None:
    section = material_section(page, name)
    section.get_by_label(f"上传“{name}”").set_input_files(str(path))
    section.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_load_state()
    messages = page.locator(".messages").inner_text()
    assert f"“{name}”已上传 1 个文件" in messages, messages


# --------------------------------------------------------------------------- 1. registration


@pytest.mark.clock("2026-06-10 10:00")  # a Wednesday: 3 working days end on Monday the 15th
def test_builder_registers_with_licence_and_waits_for_review(page, server, tmp_path):
    from accounts.models import Applicant

    licence = write_png(tmp_path, "营业执照.png")
    body = f"91411502{int(unique('')):09d}"
    credit_code = body + uscc.calc_check_digit(body)

    page.goto(server + "/account/register/")
    page.get_by_label("充电设施建设方", exact=True).check()
    page.get_by_label(label("用户名")).fill("xinyang_builder")
    page.get_by_label(label("密码")).fill("Henan-Charge-9271")
    page.get_by_label(label("确认密码")).fill("Henan-Charge-9271")
    page.get_by_label(label("电子邮箱")).fill("build@example.com")
    page.get_by_label(label("企业名称")).fill("信阳浉河充电建设有限公司")
    page.get_by_label(label("统一社会信用代码")).fill(credit_code)
    page.get_by_label(label("营业执照扫描件")).set_input_files(str(licence))
    # the resident-only field is on the page, and hidden once an enterprise type is chosen
    id_field = page.get_by_label(label("身份证号码"))
    assert id_field.count() == 1
    assert id_field.is_hidden()
    page.get_by_label(label("联系人")).fill("王磊")
    page.get_by_label(label("联系电话")).fill("13912345678")
    page.get_by_label(label("注册地")).select_option(label="浉河区")
    assert page.get_by_label(label("注册地")).input_value() == "411502"
    shot(page, "register-filled")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url("**/account/register/done/")

    assert page.locator("h1").inner_text() == "注册已提交，等待审核"
    banner = page.locator(".status-banner").inner_text()
    assert "xinyang_builder" in banner
    assert "预计在 2026年6月15日 前完成" in banner, banner
    applicant = Applicant.objects.get(user__username="xinyang_builder")
    assert applicant.status == Applicant.Status.PENDING
    assert applicant.credit_code == credit_code
    assert page.get_by_text(applicant.applications.get().reference).is_visible()
    shot(page, "register-awaiting-review")


def test_registration_refuses_a_pdf_named_png(page, server, tmp_path):
    from accounts.models import Applicant

    fake = tmp_path / "营业执照.png"
    fake.write_bytes(pdf_bytes())
    body = f"91411502{int(unique('')):09d}"

    page.goto(server + "/account/register/")
    page.get_by_label("充电设施运营商", exact=True).check()
    page.get_by_label(label("用户名")).fill("fake_licence")
    page.get_by_label(label("密码")).fill("Henan-Charge-9271")
    page.get_by_label(label("确认密码")).fill("Henan-Charge-9271")
    page.get_by_label(label("企业名称")).fill("信阳假执照科技有限公司")
    page.get_by_label(label("统一社会信用代码")).fill(body + uscc.calc_check_digit(body))
    page.get_by_label(label("营业执照扫描件")).set_input_files(str(fake))
    page.get_by_label(label("联系人")).fill("王磊")
    page.get_by_label(label("联系电话")).fill("13912345678")
    page.get_by_label(label("注册地")).select_option("411502")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_load_state()

    assert "/account/register/" in page.url and "done" not in page.url
    error = page.locator("#id_licence_error")
    assert error.is_visible()
    text = error.inner_text()
    assert "营业执照.png" in text and "PDF" in text.upper() and "请上传" in text, text
    # the error sits next to the licence field and the summary links to it
    assert page.locator("#id_licence_field").locator("#id_licence_error").count() == 1
    assert page.locator(".error-summary").is_visible()
    assert not Applicant.objects.filter(user__username="fake_licence").exists()
    shot(page, "register-wrong-licence-type")


# --------------------------------------------------------------------------- 2. main journey

DOSSIER_MATERIALS = [
    ("土建照片", "png"),
    ("设备照片", "png"),
    ("产品合格证（含检测报告）", "pdf"),
    ("竣工验收报告", "pdf"),
    ("财务决算报告", "pdf"),
]


def make_admin_reviewer(department: str = "platform"):
    """A reviewer of ``department`` who may open the Wagtail admin (not a superuser)."""
    from django.contrib.auth.models import Group, Permission

    reviewer = make_reviewer(department, username=unique(department))
    group, _ = Group.objects.get_or_create(name=f"{department}审核组")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    reviewer.groups.add(group)
    assert not reviewer.is_superuser
    return reviewer


def test_station_dossier_supplement_and_approval(browser, page, server, tmp_path):
    from applications.models import Application, State
    from catalogue.models import ApplicantType

    applicant = make_applicant(ApplicantType.BUILDER, username=unique("builder"))
    station = make_station(applicant, name="信阳市浉河区新华路公共充电站")
    reviewer = make_admin_reviewer()

    # -- applicant: log in, start a 建站资料 from the dashboard
    portal_login(page, server, applicant.user.username)
    page.goto(server + "/my/")
    page.locator("summary", has_text="新建申请").click()
    page.get_by_role("link", name="建站资料", exact=True).click()
    page.wait_for_url("**/my/applications/new/station_dossier/")
    page.get_by_role("button", name="创建申请").click()
    page.wait_for_url(re.compile(r"/my/applications/SQ\d+/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert state_of(page) == "草稿"

    # -- fill the form
    page.get_by_label(label("充电站名称")).fill(station.name)
    page.get_by_label(label("开工时间")).fill("2026-03-01")
    page.get_by_label(label("完工时间")).fill("2026-06-30")
    page.get_by_label(label("场站负责人")).fill("李强")
    page.get_by_label(label("联系电话")).fill("13912345678")
    page.get_by_label(label("备案充电站名称")).fill(station.name)
    page.get_by_label(label("备案充电站地址")).fill(station.address)
    page.get_by_role("button", name="保存申请信息").click()
    page.wait_for_load_state()
    assert "申请信息已保存" in page.locator(".messages").inner_text()

    # -- upload the five materials through the checklist
    for n, (name, fmt) in enumerate(DOSSIER_MATERIALS):
        writer = write_png if fmt == "png" else write_pdf
        upload_material(page, name, writer(tmp_path, f"{name}.{fmt}", seed=500 + n * 7))
    shot(page, "dossier-materials-uploaded")

    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert f"申请 {reference} 已提交" in page.locator(".messages").inner_text()
    assert state_of(page) == "已提交"
    shot(page, "dossier-submitted")

    # -- reviewer: find it in 审核工作台, start review, reject one photo, ask for supplement
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    try:
        admin_login(admin, server, reviewer.username)
        admin.goto(server + "/admin/review/")
        link = admin.get_by_role("link", name=reference)
        assert link.is_visible()
        shot(admin, "review-list")
        link.click()
        admin.wait_for_url(f"**/admin/review/{reference}/")
        admin.get_by_role("button", name="开始审核").click()
        admin.wait_for_load_state()
        assert "已开始审核" in admin.locator(".messages").inner_text()

        photo = admin.locator("section.review-row").filter(
            has=admin.get_by_role("heading", name="设备照片", exact=True)
        )
        photo.get_by_label("不合格原因").fill("照片模糊，看不清设备铭牌")
        photo.get_by_role("button", name="不合格").click()
        admin.wait_for_load_state()
        assert "判定为不合格" in admin.locator(".messages").inner_text()

        admin.locator("summary", has_text="要求补正（一次性告知）").click()
        admin.get_by_label("补充说明（可选）").fill("请重新拍摄设备铭牌照片。")
        admin.get_by_role("button", name="发出一次性告知").click()
        admin.wait_for_load_state()
        assert "已发出一次性告知" in admin.locator(".messages").inner_text()
        shot(admin, "review-supplement-sent")
    finally:
        staff.close()
    assert Application.objects.get(reference=reference).state == State.NEEDS_SUPPLEMENT

    # -- applicant (a new browser context): sees the notice, replaces the photo, resubmits
    again = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    mine = again.new_page()
    try:
        portal_login(mine, server, applicant.user.username)
        mine.goto(server + f"/my/applications/{reference}/")
        assert state_of(mine) == "待补正"
        notice = mine.locator("#notice")
        assert notice.is_visible()
        assert "设备照片" in notice.inner_text()
        assert "照片模糊，看不清设备铭牌" in notice.inner_text()
        assert "请重新拍摄设备铭牌照片。" in notice.inner_text()
        shot(mine, "applicant-sees-notice")

        photos = material_section(mine, "设备照片")
        assert "照片模糊" in photos.locator(".verdict").inner_text()
        photos.get_by_role("button", name=re.compile("删除")).click()
        mine.wait_for_load_state()
        assert "已删除" in mine.locator(".messages").inner_text()
        upload_material(mine, "设备照片", write_png(tmp_path, "设备铭牌清晰.png", seed=901))
        mine.get_by_role("button", name="提交补正").click()
        mine.wait_for_load_state()
        assert state_of(mine) == "已补正"
        shot(mine, "applicant-resubmitted")

        # -- reviewer: accept the new photo, approve
        staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        admin = staff.new_page()
        try:
            admin_login(admin, server, reviewer.username)
            admin.goto(server + f"/admin/review/{reference}/")
            photo = admin.locator("section.review-row").filter(
                has=admin.get_by_role("heading", name="设备照片", exact=True)
            )
            photo.get_by_role("button", name="合格", exact=True).click()
            admin.wait_for_load_state()
            assert "判定为合格" in admin.locator(".messages").inner_text()
            admin.get_by_role("textbox", name=re.compile("审核意见")).fill("材料齐全，同意。")
            admin.get_by_role("button", name="通过", exact=True).click()
            admin.wait_for_load_state()
            assert "审核结论：通过" in admin.locator(".messages").inner_text()
            shot(admin, "review-approved")
        finally:
            staff.close()

        # -- applicant: 已通过, rates 非常满意
        mine.goto(server + f"/my/applications/{reference}/")
        assert state_of(mine) == "已通过"
        assert "材料齐全，同意。" in mine.locator("#reviews").inner_text()
        mine.get_by_label("非常满意", exact=True).check()
        mine.get_by_label("评价意见（选填）").fill("办理很快。")
        mine.get_by_role("button", name="提交评价").click()
        mine.wait_for_load_state()
        assert "感谢您的评价" in mine.locator(".messages").inner_text()
        assert "非常满意" in mine.locator("#rating").inner_text()
        shot(mine, "applicant-rated")
    finally:
        again.close()

    application = Application.objects.get(reference=reference)
    assert application.state == State.APPROVED
    assert application.ratings.get().level == 5
    station.refresh_from_db()
    assert application.detail.station == station


# --------------------------------------------------------------------------- 3. phone


def test_dashboard_and_detail_fit_a_phone(phone, server):
    from catalogue.models import ApplicantType

    applicant = make_applicant(ApplicantType.BUILDER, username=unique("phone"))
    station = make_station(applicant)
    application = make_dossier(applicant, station)

    portal_login(phone, server, applicant.user.username)
    for path, name in (
        ("/my/", "phone-dashboard"),
        (f"/my/applications/{application.reference}/", "phone-detail"),
    ):
        phone.goto(server + path)
        phone.wait_for_load_state()
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shot(phone, name)
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
    assert application.reference in phone.locator("h1").inner_text()


# --------------------------------------------------------------------------- 4. isolation


def test_other_applicant_gets_404_for_application_and_file(page, server):
    from catalogue.models import ApplicantType

    owner = make_applicant(ApplicantType.BUILDER, username=unique("owner"))
    application = make_dossier(owner, make_station(owner))
    attachment = application.attachments.first()
    intruder = make_applicant(ApplicantType.OPERATOR, username=unique("intruder"))

    portal_login(page, server, intruder.user.username)
    for path in (
        f"/my/applications/{application.reference}/",
        f"/my/files/{attachment.pk}/",
        f"/my/files/{attachment.pk}/preview/",
    ):
        response = page.goto(server + path)
        assert response.status == 404, path
        assert page.locator("h1").inner_text() == "页面不存在"
        assert owner.name not in page.content()
    shot(page, "isolation-404")


def test_reviewer_of_another_department_gets_404(page, server):
    from catalogue.models import ApplicantType

    owner = make_applicant(ApplicantType.BUILDER, username=unique("owner"))
    application = make_dossier(owner, make_station(owner))
    attachment = application.attachments.first()
    power = make_admin_reviewer("power")

    admin_login(page, server, power.username)
    page.goto(server + "/admin/review/")
    assert page.get_by_role("link", name=application.reference).count() == 0
    for path in (
        f"/admin/review/{application.reference}/",
        f"/admin/review/file/{attachment.pk}/download/",
    ):
        response = page.goto(server + path)
        assert response.status == 404, path
        assert owner.name not in page.content()
    shot(page, "isolation-reviewer-404")
