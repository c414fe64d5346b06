"""Applicant accounts through the web: registration, login, profile and API tokens."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from stdnum.cn import ric, uscc
from wagtail.models import APIToken

from accounts import services
from accounts.models import Applicant, LoginAttempt
from applications.models import Application, Attachment, DepartmentReview, State
from applications.uploads import UploadRejected
from catalogue.models import ApplicantType, ApplicationKind
from cms import credit_code as cms_credit_code
from cms.storage import PrivateFileSystemStorage, StorageUnavailable
from regions.models import Region

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Charge-Henan-2026"


@pytest.fixture(autouse=True)
def reference_data(db):
    """Regions, catalogue and calendar: a transactional test elsewhere may have flushed
    the data migrations' rows."""
    from tests.applications.factories import ensure_reference_data

    ensure_reference_data()


# --------------------------------------------------------------------------- helpers


def credit_code(n: int = 1) -> str:
    base = f"91411500{n:09d}"
    return base + uscc.calc_check_digit(base)


def id_number(seq: int = 1) -> str:
    base = f"41010219900101{seq:03d}"
    return base + ric.calc_check_digit(base + "0")


def png_bytes(size=(200, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(buf, "PDF")
    return buf.getvalue()


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"


def county() -> Region:
    return Region.objects.get(code="411502")


def private_files() -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def enterprise_post(**overrides):
    data = {
        "kind": ApplicantType.OPERATOR,
        "username": "xinyang-charge",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "name": "信阳快充科技有限公司",
        "credit_code": credit_code(),
        "contact_name": "王工",
        "mobile": "13812345678",
        "region": county().code,
        "email": "ops@example.com",
        "licence": SimpleUploadedFile("营业执照.png", png_bytes(), content_type="image/png"),
    }
    data.update(overrides)
    return data


def resident_post(**overrides):
    data = {
        "kind": ApplicantType.RESIDENT,
        "username": "zhangsan",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "name": "张三",
        "id_number": id_number(),
        "contact_name": "张三",
        "mobile": "13912345678",
        "region": county().code,
    }
    data.update(overrides)
    return data


def make_applicant(username="operator1", kind=ApplicantType.OPERATOR, status="active", n=7):
    user = User.objects.create_user(username=username, password=PASSWORD)
    applicant = Applicant.objects.create(
        user=user,
        kind=kind,
        name=f"{username} 公司",
        credit_code=credit_code(n) if kind != ApplicantType.RESIDENT else "",
        id_number=id_number(n) if kind == ApplicantType.RESIDENT else "",
        contact_name="李四",
        mobile="13700000000",
        region=county(),
        status=status,
    )
    return user, applicant


def assert_nothing_stored(files_before):
    assert not User.objects.exists()
    assert not Applicant.objects.exists()
    assert not Application.objects.exists()
    assert not Attachment.objects.exists()
    assert private_files() == files_before


# --------------------------------------------------------------------------- register


def test_register_page_explains_types_and_fields(client):
    response = client.get(reverse("accounts:register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "拥有自己的运营平台" in html
    assert "无需办理“运营商注册”" in html
    assert "营业执照注册地址，精确到区县；外省企业选“郑州-其他”" in html
    assert "其他（外省企业）" in html  # 郑州-其他 in the grouped select
    assert '<optgroup label="信阳市">' in html
    assert 'class="required"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.clock("2026-06-10 10:00")  # a Wednesday
def test_register_enterprise_goes_to_review(client):
    response = client.post(reverse("accounts:register"), enterprise_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:registered")

    applicant = Applicant.objects.get(user__username="xinyang-charge")
    assert applicant.status == Applicant.Status.PENDING
    assert applicant.credit_code == credit_code()
    application = Application.objects.get(applicant=applicant)
    assert application.kind == ApplicationKind.ACCOUNT
    assert application.state == State.SUBMITTED
    licence = application.attachments.get()
    assert licence.requirement.code == "business-licence"
    assert licence.original_name == "营业执照.png"
    assert licence.format == "png"
    review = DepartmentReview.objects.get(application=application)
    assert review.department.code == "platform"
    # 3 个工作日, counted from the day after receipt: Thursday, Friday, Monday.
    assert review.due_date == date(2026, 6, 15)
    assert review.calendar_missing_year is None

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "等待审核" in html
    assert "3个工作日" in html and "高峰期顺延" in html
    assert "预计在 <strong>2026年6月15日</strong> 前完成" in html


def test_register_builder_too(client):
    response = client.post(
        reverse("accounts:register"),
        enterprise_post(kind=ApplicantType.BUILDER, username="builder1"),
    )
    assert response.status_code == 302
    assert Applicant.objects.get().kind == ApplicantType.BUILDER


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("信阳市浉河区示例农机农民专业合作社", "93411502MA9G7H2K4"),  # 市场监管 9, 合作社 3
        ("信阳市平桥区示例村股份经济合作社", "N2411503MF0045678"),  # 农业农村 N, 村级 2
    ],
)
def test_cooperatives_and_collectives_register_as_builders(client, name, body):
    code = cms_credit_code.make(body)
    response = client.post(
        reverse("accounts:register"),
        enterprise_post(kind=ApplicantType.BUILDER, username="coop1", name=name, credit_code=code),
    )
    assert response.status_code == 302, response.content.decode()
    applicant = Applicant.objects.get()
    assert (applicant.kind, applicant.credit_code, applicant.name) == (
        ApplicantType.BUILDER,
        code,
        name,
    )


def test_letter_prefixed_code_with_wrong_check_is_refused(client):
    code = cms_credit_code.make("N2411503MF0045678")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(
        reverse("accounts:register"),
        enterprise_post(kind=ApplicantType.BUILDER, credit_code=wrong.lower()),
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not Applicant.objects.exists()


def test_register_resident_active_at_once(client):
    response = client.post(reverse("accounts:register"), resident_post())
    assert response.status_code == 302
    applicant = Applicant.objects.get()
    assert applicant.status == Applicant.Status.ACTIVE
    assert applicant.id_number.plaintext == id_number()
    assert not Application.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "注册成功" in html


def test_register_in_jiyuan_a_city_without_counties(client):
    response = client.post(reverse("accounts:register"), resident_post(region="419001"))
    assert response.status_code == 302
    assert Applicant.objects.get().region.name == "济源市"


def test_register_bad_credit_code(client):
    files_before = private_files()
    bad = credit_code()[:-1] + ("0" if credit_code()[-1] != "0" else "1")
    response = client.post(reverse("accounts:register"), enterprise_post(credit_code=bad))
    assert response.status_code == 200
    html = response.content.decode()
    assert "统一社会信用代码校验位不正确" in html
    assert 'role="alert"' in html
    assert 'href="#id_credit_code"' in html
    assert_nothing_stored(files_before)


def test_register_short_credit_code(client):
    response = client.post(reverse("accounts:register"), enterprise_post(credit_code="9141"))
    assert "统一社会信用代码应为 18 位（现为 4 位）" in response.content.decode()


def test_register_duplicate_credit_code(client):
    make_applicant("existing", n=1)
    response = client.post(reverse("accounts:register"), enterprise_post())
    html = response.content.decode()
    assert "已注册过账号" in html
    assert User.objects.count() == 1


def test_enterprise_needs_licence_and_code(client):
    response = client.post(
        reverse("accounts:register"), enterprise_post(credit_code="", licence="")
    )
    html = response.content.decode()
    assert "企业用户请填写统一社会信用代码。" in html
    assert "企业用户请上传营业执照扫描件" in html
    assert not User.objects.exists()


def test_resident_needs_valid_id_number(client):
    response = client.post(
        reverse("accounts:register"), resident_post(id_number="410102199001010010")
    )
    assert "身份证号码不正确" in response.content.decode()
    response = client.post(reverse("accounts:register"), resident_post(id_number=""))
    assert "个人/居民用户请填写身份证号码。" in response.content.decode()
    assert not User.objects.exists()


def test_password_rules(client):
    response = client.post(
        reverse("accounts:register"), resident_post(password1="12345678", password2="12345678")
    )
    html = response.content.decode()
    assert 'id="id_password1_error"' in html
    response = client.post(reverse("accounts:register"), resident_post(password2="different-1"))
    assert "两次输入的密码不一致。" in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_username(client):
    User.objects.create_user("zhangsan", password=PASSWORD)
    response = client.post(reverse("accounts:register"), resident_post())
    assert "用户名已被使用" in response.content.decode()


@pytest.mark.parametrize(
    ("filename", "payload", "message"),
    [
        ("营业执照.pdf", pdf_bytes, "实际内容是 PDF 文档"),
        ("营业执照.png", pdf_bytes, "实际内容是 PDF 文档"),
        ("营业执照.jpg", exe_bytes, "可能是可执行程序"),
        ("setup.exe", exe_bytes, "可能是可执行程序"),
    ],
)
def test_licence_of_wrong_type_refused_and_nothing_stored(client, filename, payload, message):
    files_before = private_files()
    upload = SimpleUploadedFile(filename, payload(), content_type="image/png")
    response = client.post(reverse("accounts:register"), enterprise_post(licence=upload))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_licence_error"' in html
    assert_nothing_stored(files_before)


def test_service_register_is_atomic_when_licence_refused():
    files_before = private_files()
    with pytest.raises(UploadRejected):
        services.register(
            username="atomic",
            password=PASSWORD,
            kind=ApplicantType.OPERATOR,
            name="原子公司",
            contact_name="王工",
            mobile="13812345678",
            region=county(),
            credit_code=credit_code(3),
            licence=SimpleUploadedFile("licence.pdf", pdf_bytes()),
        )
    assert_nothing_stored(files_before)


def test_storage_outage_during_registration(client, monkeypatch):
    files_before = private_files()

    def broken(self, name, content):
        raise StorageUnavailable()

    monkeypatch.setattr(PrivateFileSystemStorage, "_save", broken)
    response = client.post(reverse("accounts:register"), enterprise_post())
    assert response.status_code == 200
    assert "文件存储服务暂时不可用" in response.content.decode()
    assert_nothing_stored(files_before)


# --------------------------------------------------------------------------- login


def login(client, username, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def test_login_and_logout(client):
    make_applicant("op")
    response = login(client, "op", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "退出" in html and "我的办事" in html
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_message(client):
    make_applicant("op")
    response = login(client, "op", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_login_rate_limit_refuses_even_the_right_password(client):
    make_applicant("op")
    for _ in range(5):
        assert login(client, "op", "wrong-password").status_code == 200
    assert LoginAttempt.objects.filter(username="op", succeeded=False).count() == 5
    response = login(client, "op", PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_idle_account_is_locked_at_login(client):
    user, applicant = make_applicant("sleepy")
    user.last_login = timezone.now() - timedelta(days=100)
    user.save(update_fields=["last_login"])
    Applicant.objects.filter(pk=applicant.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    response = login(client, "sleepy", PASSWORD)
    assert response.status_code == 200
    assert "账号超过三个月未登录，已被锁定" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.LOCKED
    assert "_auth_user_id" not in client.session


def test_pending_account_may_log_in_and_see_its_status(client):
    client.post(reverse("accounts:register"), enterprise_post())
    client.post(reverse("accounts:logout"))
    response = login(client, "xinyang-charge", PASSWORD)
    assert response.status_code == 302
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "账号待审核" in html
    assert "新建申请" not in html
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "待审核" in html and "账号注册审核" in html


def test_rejected_account_is_told_why(client):
    _, applicant = make_applicant("refused", status=Applicant.Status.REJECTED)
    applicant.status_note = "营业执照不清晰"
    applicant.save()
    response = login(client, "refused", PASSWORD)
    html = response.content.decode()
    assert "账号注册未通过审核（营业执照不清晰）" in html
    assert "_auth_user_id" not in client.session
    # A wrong password does not reveal the account's state.
    assert "未通过审核" not in login(client, "refused", "nope-nope").content.decode()


def test_login_required_redirects_to_login(client):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --------------------------------------------------------------------------- profile


def test_profile_masks_id_number_and_shows_region(client):
    user, applicant = make_applicant("res", kind=ApplicantType.RESIDENT, n=5)
    applicant.refresh_from_db()
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert id_number(5) not in html
    assert applicant.id_number.masked in html
    assert "信阳市-浉河区" in html
    assert "API 令牌" not in html


def test_header_links_for_anonymous(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'href="/services/"' in html and "办事服务" in html
    assert 'href="/account/register/"' in html


# --------------------------------------------------------------------------- API tokens


def test_api_token_created_once_and_shown_once(client):
    user, _ = make_applicant("platform-op")
    client.force_login(user)
    response = client.post(reverse("accounts:tokens"), {"name": "运营平台推送"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    token = APIToken.objects.get(user=user)
    html = response.content.decode()
    start = html.index('value="wagtail_') + len('value="')
    plaintext = html[start : html.index('"', start)]
    assert APIToken.hash_token(plaintext) == token.key_hash
    assert "只显示这一次" in html

    again = client.get(reverse("accounts:tokens")).content.decode()
    assert plaintext not in again
    assert token.prefix in again
    assert APIToken.objects.count() == 1

    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_api_tokens_only_for_active_enterprises(client):
    user, _ = make_applicant("res", kind=ApplicantType.RESIDENT, n=6)
    client.force_login(user)
    response = client.post(reverse("accounts:tokens"), {"name": "x"})
    assert response.status_code == 302
    assert not APIToken.objects.exists()
    pending, _ = make_applicant("pending-op", status=Applicant.Status.PENDING, n=8)
    client.force_login(pending)
    client.post(reverse("accounts:tokens"), {"name": "x"})
    assert not APIToken.objects.exists()


def test_cannot_revoke_someone_elses_token(client):
    owner, _ = make_applicant("owner-op", n=9)
    token, _ = APIToken.create_token(user=owner, name="a")
    other, _ = make_applicant("other-op", n=10)
    client.force_login(other)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_lock_idle_accounts_command_locks_and_reports():
    from django.core.management import call_command

    from tests.applications.factories import make_applicant

    idle, recent = make_applicant(), make_applicant()
    Applicant.objects.update(created_at=timezone.now() - timedelta(days=400))
    for applicant, days in ((idle, 91), (recent, 89)):
        applicant.user.last_login = timezone.now() - timedelta(days=days)
        applicant.user.save(update_fields=["last_login"])
    out = io.StringIO()
    call_command("lock_idle_accounts", stdout=out)
    assert out.getvalue().strip() == "已锁定 1 个超过三个月未登录的账号。"
    idle.refresh_from_db()
    recent.refresh_from_db()
    assert (idle.status, recent.status) == (Applicant.Status.LOCKED, Applicant.Status.ACTIVE)
