"""`manage.py create_applicant`: onboarding an account reviewed offline, with a token."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.test import Client
from PIL import Image
from stdnum.cn import uscc
from wagtail.models import APIToken

from accounts.models import Applicant
from applications.models import Application, Attachment, Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    """Regions, catalogue and calendar, even after a transactional test flushed them."""
    from tests.applications.factories import ensure_reference_data

    ensure_reference_data()


PASSWORD = "Xinyang-Charge-2026!"


def credit_code(seq: int = 1) -> str:
    body = f"91411502MA{seq:07d}"
    return body + uscc.calc_check_digit(body)


def arguments(**overrides) -> list[str]:
    options = {
        "username": "hnev",
        "password": PASSWORD,
        "kind": "operator",
        "name": "河南豫充新能源科技有限公司",
        "credit-code": credit_code(),
        "contact": "张三",
        "mobile": "13812345678",
        "region": "411502",
        **overrides,
    }
    args = []
    for key, value in options.items():
        if value is None:
            continue
        args += [f"--{key}", value]
    return args


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_applicant", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def nothing_stored():
    return (
        not get_user_model().objects.exists()
        and not Applicant.objects.exists()
        and not Application.objects.exists()
        and not Attachment.objects.exists()
        and not APIToken.objects.exists()
    )


def test_creates_an_active_applicant_and_prints_a_working_token(tmp_path):
    password_file = tmp_path / "pw.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    out, err = run(
        *arguments(password=None, **{"password-file": str(password_file)}),
        "--token",
        "--token-name",
        "平台对接",
    )
    token = out.strip().splitlines()[-1]
    assert out.strip() == token  # the token is the only thing on stdout
    assert token.startswith("wagtail_")
    assert "hnev" in err and "接口令牌" in err

    applicant = Applicant.objects.get(user__username="hnev")
    assert applicant.status == Applicant.Status.ACTIVE
    assert applicant.reviewed_at is not None
    assert applicant.credit_code == credit_code()
    assert applicant.user.check_password(PASSWORD)
    account = Application.objects.get(applicant=applicant, kind="account")
    assert account.state == "approved"
    assert not account.reviews.exists()  # nobody has to review it again
    event = Event.objects.get(application=account, action="approved")
    assert event.note == "命令行开户（已线下审核）"
    [api_token] = APIToken.objects.filter(user=applicant.user)
    assert api_token.name == "平台对接"

    response = Client().get("/api/v1/applications", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["state"] == "approved"


def test_licence_is_validated_and_stored(tmp_path):
    licence = tmp_path / "营业执照.png"
    Image.new("RGB", (800, 600), "white").save(licence, "PNG")
    out, _ = run(*arguments(licence=str(licence)))
    assert "已开通账号 hnev" in out
    [attachment] = Attachment.objects.all()
    assert attachment.requirement.code == "business-licence"
    assert attachment.original_name == "营业执照.png"
    assert attachment.application.state == "approved"
    assert not APIToken.objects.exists()


def test_a_licence_that_is_not_an_image_stores_nothing(tmp_path):
    licence = tmp_path / "执照.jpg"
    licence.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(CommandError) as excinfo:
        run(*arguments(licence=str(licence)), "--token")
    assert "执照.jpg" in str(excinfo.value)
    assert nothing_stored()


def test_a_bad_credit_code_exits_non_zero_and_stores_nothing():
    bad = credit_code()[:-1] + ("0" if credit_code()[-1] != "0" else "1")
    with pytest.raises(CommandError) as excinfo:
        run(*arguments(**{"credit-code": bad}), "--token")
    assert "校验位" in str(excinfo.value)
    assert nothing_stored()


# The command line closes every database connection when the command ends: a transactional
# test, so the closing does not end the test's own transaction.
@pytest.mark.django_db(transaction=True)
def test_from_the_command_line_a_bad_code_prints_why_and_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(
            ["manage.py", "create_applicant", *arguments(**{"credit-code": "9141"})]
        ).execute()
    assert exit_info.value.code != 0
    assert "统一社会信用代码应为 18 位（现为 4 位）" in capsys.readouterr().err
    assert nothing_stored()


def test_every_problem_is_reported_at_once_in_chinese():
    with pytest.raises(CommandError) as excinfo:
        run(
            *arguments(
                kind="resident", mobile="12345", region="999999", password="123", contact=None
            )
        )
    message = str(excinfo.value)
    assert "operator" in message and "builder" in message
    assert "手机号码" in message
    assert "999999" in message
    assert "--contact" in message
    assert "密码" in message
    assert nothing_stored()


def test_an_existing_username_or_credit_code_is_refused():
    run(*arguments())
    with pytest.raises(CommandError) as excinfo:
        run(*arguments(**{"credit-code": credit_code(2)}))
    assert "用户名“hnev”已存在" in str(excinfo.value)
    with pytest.raises(CommandError) as excinfo:
        run(*arguments(username="other"))
    assert "已由“河南豫充新能源科技有限公司”注册" in str(excinfo.value)
    assert Applicant.objects.count() == 1


def test_a_city_code_is_not_a_registration_place():
    with pytest.raises(CommandError) as excinfo:
        run(*arguments(region="411500"))
    assert "不是县级区划" in str(excinfo.value)
    assert nothing_stored()
