"""Open an enterprise account that has already been reviewed offline.

    python manage.py create_applicant --username hnev --password-file pw.txt \\
        --kind operator --name 河南某某充电科技有限公司 --credit-code 91410000... \\
        --contact 张三 --mobile 13812345678 --region 411502 [--licence 执照.jpg] \\
        [--token [--token-name 平台对接]]

Every field is checked with the validators the web registration uses; on any error the
command stops with a Chinese message, a non-zero exit code and nothing stored. With
``--token`` the plaintext API token is the only thing written to stdout (the summary
goes to stderr), so scripts can capture it with ``$(...)`` or ``| tail -1``.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from wagtail.models import APIToken

from accounts.models import (
    Applicant,
    mobile_validator,
    normalise_credit_code,
    validate_credit_code,
)
from accounts.services import register
from catalogue.models import ApplicantType
from cms.storage import StorageUnavailable
from regions.choices import county_label, registration_choices
from regions.models import Region

from ... import workflow
from ...uploads import UploadRejected
from ...workflow import WorkflowError

EVENT_NOTE = "命令行开户（已线下审核）"
ENTERPRISE_KINDS = (ApplicantType.OPERATOR, ApplicantType.BUILDER)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


def _password_messages(exc: ValidationError) -> list[str]:
    """Django's zh-hans catalogue lacks the plural "too short" message; say it here."""
    messages = []
    for error in exc.error_list:
        if error.code == "password_too_short":
            messages.append(f"密码太短，至少需要 {error.params['min_length']} 个字符。")
        else:
            messages.extend(error.messages)
    return messages


class Command(BaseCommand):
    help = "开通已线下审核的企业账号（充电设施运营商或建设方），可同时发放接口令牌。"

    def add_arguments(self, parser):
        # Nothing is "required" for argparse: every check, the missing ones included,
        # is done below so that all problems are reported at once, in Chinese.
        parser.add_argument("--username", help="登录用户名")
        parser.add_argument("--password", help="登录密码（建议改用 --password-file）")
        parser.add_argument("--password-file", help="从文件第一行读取密码；“-”表示从标准输入读取")
        parser.add_argument("--kind", help="用户类型：operator（运营商）或 builder（建设方）")
        parser.add_argument("--name", help="企业名称（与营业执照一致）")
        parser.add_argument("--credit-code", help="统一社会信用代码（18 位）")
        parser.add_argument("--contact", help="联系人")
        parser.add_argument("--mobile", help="联系电话（11 位手机号）")
        parser.add_argument("--region", help="注册地县级区划代码，如 411502；外省企业用 410199")
        parser.add_argument("--email", default="", help="电子邮箱（选填）")
        parser.add_argument("--licence", help="营业执照扫描件（jpg/png，选填）")
        parser.add_argument(
            "--token", action="store_true", help="同时发放接口令牌，明文只输出到标准输出最后一行"
        )
        parser.add_argument("--token-name", default="", help="令牌名称（默认“企业名称 接口令牌”）")

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            values = self.validated(options)
            application, plaintext = self.create(values, options)
        kind_label = ApplicantType(values["kind"]).label
        summary = (
            f"已开通账号 {values['username']}（{values['name']}，{kind_label}，"
            f"{county_label(values['region'])}）"
        )
        if application is not None:
            summary += f"；账号注册申请 {application.reference} 已记为审核通过"
        summary += "。"
        if plaintext is not None:
            self.stderr.write(summary + "接口令牌如下（只显示这一次，请妥善保存）：")
            self.stdout.write(plaintext)
        else:
            self.stdout.write(summary)

    # --- Validation --------------------------------------------------------------

    def validated(self, options) -> dict:
        errors = []
        values = {}

        def required(option, label):
            value = (options.get(option) or "").strip()
            if not value:
                errors.append(f"请提供 --{option.replace('_', '-')}（{label}）。")
            return value

        User = get_user_model()
        username = required("username", "登录用户名")
        if username:
            try:
                User.username_validator(username)
                if len(username) > 150:
                    raise ValidationError("用户名不能超过 150 个字符。")
            except ValidationError as exc:
                errors += [f"用户名：{m}" for m in _messages(exc)]
            else:
                if User.objects.filter(username__iexact=username).exists():
                    errors.append(f"用户名“{username}”已存在，未做任何修改。")
        values["username"] = username

        password = self.read_password(options, errors)
        if password:
            try:
                validate_password(password, user=User(username=username))
            except ValidationError as exc:
                errors += [f"密码：{m}" for m in _password_messages(exc)]
        values["password"] = password

        kind = required("kind", "用户类型")
        if kind and kind not in ENTERPRISE_KINDS:
            errors.append(
                f"用户类型“{kind}”不正确：只能是 operator（充电设施运营商）或 builder"
                "（充电设施建设方）；个人/居民请在网站上注册。"
            )
        values["kind"] = kind

        name = required("name", "企业名称")
        if len(name) > 100:
            errors.append("企业名称不能超过 100 个字。")
        values["name"] = name

        credit_code = normalise_credit_code(required("credit_code", "统一社会信用代码"))
        if credit_code:
            try:
                validate_credit_code(credit_code)
            except ValidationError as exc:
                errors += _messages(exc)
            else:
                existing = Applicant.objects.filter(credit_code=credit_code).first()
                if existing is not None:
                    errors.append(f"统一社会信用代码 {credit_code} 已由“{existing.name}”注册。")
        values["credit_code"] = credit_code

        contact = required("contact", "联系人")
        if len(contact) > 50:
            errors.append("联系人不能超过 50 个字。")
        values["contact"] = contact

        mobile = required("mobile", "联系电话")
        if mobile:
            try:
                mobile_validator(mobile)
            except ValidationError as exc:
                errors += _messages(exc)
        values["mobile"] = mobile

        values["region"] = self.region(required("region", "注册地区划代码"), errors)

        email = (options.get("email") or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"电子邮箱“{email}”格式不正确。")
        values["email"] = email

        licence = (options.get("licence") or "").strip()
        if licence and not Path(licence).is_file():
            errors.append(f"找不到营业执照文件“{licence}”。")
        values["licence"] = Path(licence) if licence else None

        token_name = (options.get("token_name") or "").strip() or f"{name} 接口令牌"
        if len(token_name) > 255:
            errors.append("令牌名称不能超过 255 个字符。")
        values["token_name"] = token_name

        if errors:
            raise CommandError("未开通账号：\n" + "\n".join(f"- {e}" for e in errors))
        return values

    def read_password(self, options, errors) -> str:
        password, path = options.get("password"), options.get("password_file")
        if password and path:
            errors.append("--password 与 --password-file 只能用一个。")
            return ""
        if path:
            try:
                text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(f"无法读取密码文件“{path}”：{exc.__class__.__name__}。")
                return ""
            password = text.splitlines()[0] if text.splitlines() else ""
            if not password:
                errors.append(f"密码文件“{path}”的第一行是空的。")
            return password
        if not password:
            errors.append("请用 --password-file（推荐）或 --password 提供登录密码。")
            return ""
        return password

    def region(self, code, errors):
        if not code:
            return None
        allowed = {c for _, group in registration_choices() for c, _ in group}
        region = Region.objects.filter(code=code).first()
        if region is None:
            errors.append(
                f"注册地区划代码“{code}”不存在；请填写 6 位县级区划代码，如 411502"
                "（信阳市浉河区），外省企业填 410199。"
            )
            return None
        if code not in allowed:
            errors.append(
                f"“{region.name}”（{code}）不是县级区划，请填写其下属县（市、区）的代码。"
            )
            return None
        return region

    # --- Storing -----------------------------------------------------------------

    def create(self, values, options):
        licence_file = None
        try:
            if values["licence"] is not None:
                licence_file = values["licence"].open("rb")
            with transaction.atomic():
                registration = register(
                    username=values["username"],
                    password=values["password"],
                    kind=values["kind"],
                    name=values["name"],
                    credit_code=values["credit_code"],
                    contact_name=values["contact"],
                    mobile=values["mobile"],
                    region=values["region"],
                    email=values["email"],
                    licence=File(licence_file, name=values["licence"].name)
                    if licence_file
                    else None,
                    licence_name=values["licence"].name if licence_file else "",
                    submit=False,
                )
                application = registration.application
                if application is None:
                    workflow.activate_applicant(registration.applicant)
                else:
                    workflow.approve_offline(application, note=EVENT_NOTE)
                plaintext = None
                if options.get("token"):
                    _, plaintext = APIToken.create_token(
                        user=registration.user, name=values["token_name"]
                    )
        except ValidationError as exc:
            raise CommandError("未开通账号：" + "；".join(_messages(exc))) from exc
        except StorageUnavailable as exc:
            raise CommandError("未开通账号：" + exc.message) from exc
        except Exception as exc:
            # UploadRejected and WorkflowError carry Chinese messages meant for people.
            if isinstance(exc, (UploadRejected, WorkflowError)):
                raise CommandError(f"未开通账号：{exc}") from exc
            raise
        finally:
            if licence_file is not None:
                licence_file.close()
        return application, plaintext
