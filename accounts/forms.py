"""Registration, login and API-token forms of the applicant portal.

The forms validate what a person typed and say what to fix, in Chinese; storing is
left to `accounts.services` (register) so the command and the tests store the same way.
"""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from catalogue.models import ApplicantType, MaterialRequirement
from regions.choices import registration_choices
from regions.models import Region

from .hooks import account_review
from .models import (
    Applicant,
    mobile_validator,
    normalise_credit_code,
    validate_credit_code,
    validate_id_number,
)
from .services import LoginRefused, check_login_allowed, client_ip

ENTERPRISE_TYPES = (ApplicantType.OPERATOR, ApplicantType.BUILDER)

# The provincial guide's words on the two enterprise types, plus the residents of the
# Xinyang joint installation plan.
TYPE_EXPLANATIONS = {
    ApplicantType.OPERATOR: "拥有自己的运营平台的企业。注册后还需办理“运营商注册”。",
    ApplicantType.BUILDER: (
        "没有自己的运营平台、委托第三方运营的企业。无需办理“运营商注册”，可直接申请建设补贴。"
    ),
    ApplicantType.RESIDENT: "在自有或租赁车位安装充电桩的个人、居民。注册后立即可用，无需审核。",
}

REGION_HELP = "营业执照注册地址，精确到区县；外省企业选“郑州-其他”。"
LICENCE_FALLBACK_FORMATS = ["jpg", "png"]


def licence_requirement():
    """The 营业执照扫描件 material of the 账号注册 item (the catalogue says jpg/png)."""
    return (
        MaterialRequirement.objects.filter(item__code="account", code="business-licence")
        .select_related("item")
        .first()
    )


class TypeSelect(forms.RadioSelect):
    """Radio buttons whose options carry the explanation of each user type."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["explanation"] = TYPE_EXPLANATIONS.get(value, "")
        option["attrs"]["aria-describedby"] = f"{option['attrs'].get('id', '')}_help"
        return option


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label="用户类型",
        choices=ApplicantType.choices,
        widget=TypeSelect,
        error_messages={"required": "请选择用户类型。"},
    )
    username = forms.CharField(
        label="用户名",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="用于登录，150 个字符以内，可用字母、数字和 @ . + - _。",
        error_messages={"required": "请填写用户名。"},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，不能全是数字，不能与用户名过于相似，不能是常见密码。",
        error_messages={"required": "请设置密码。"},
    )
    password2 = forms.CharField(
        label="确认密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="再输入一次密码。",
        error_messages={"required": "请再输入一次密码。"},
    )
    name = forms.CharField(
        label="企业名称（个人用户填写姓名）",
        max_length=100,
        help_text="企业用户按营业执照填写全称。",
        error_messages={"required": "请填写企业名称或姓名。"},
    )
    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        required=False,
        help_text="企业用户必填，18 位，见营业执照。",
    )
    licence = forms.FileField(
        label="营业执照扫描件",
        required=False,
        help_text="企业用户必填。三证合一后的营业执照扫描件，格式 .jpg 或 .png。",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}),
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=18,
        required=False,
        help_text="个人/居民用户必填，18 位。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    contact_name = forms.CharField(
        label="联系人", max_length=50, error_messages={"required": "请填写联系人。"}
    )
    mobile = forms.CharField(
        label="联系电话",
        max_length=11,
        validators=[mobile_validator],
        help_text="11 位手机号码。",
        error_messages={"required": "请填写联系电话。"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    region = forms.ChoiceField(
        label="注册地",
        help_text=REGION_HELP,
        error_messages={
            "required": "请选择注册地。",
            "invalid_choice": "请从列表中选择注册地（区县）。",
        },
    )
    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        help_text="选填。",
        error_messages={"invalid": "电子邮箱格式不正确，例如 name@example.com。"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Fields required for everyone / only for enterprises / only for residents; the
    # template marks them with "*".
    ALWAYS_REQUIRED = (
        "kind",
        "username",
        "password1",
        "password2",
        "name",
        "contact_name",
        "mobile",
        "region",
    )
    ENTERPRISE_REQUIRED = ("credit_code", "licence")
    RESIDENT_REQUIRED = ("id_number",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择区县"), *registration_choices()]
        requirement = licence_requirement()
        self.licence_requirement = requirement
        self.licence_formats = requirement.format_list if requirement else LICENCE_FALLBACK_FORMATS

    @property
    def is_enterprise(self) -> bool:
        return self.cleaned_data.get("kind") in ENTERPRISE_TYPES

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("用户名已被使用，请换一个。", code="duplicate_username")
        return username

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise ValidationError("两次输入的密码不一致。", code="password_mismatch")
        return second

    def clean_region(self):
        code = self.cleaned_data["region"]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError("请从列表中选择注册地（区县）。", code="invalid_region")
        return region

    def clean_credit_code(self):
        value = normalise_credit_code(self.cleaned_data.get("credit_code", ""))
        if not value:
            return ""
        validate_credit_code(value)
        if Applicant.objects.filter(credit_code=value).exists():
            raise ValidationError(
                f"统一社会信用代码 {value} 已注册过账号，同一企业只能注册一个账号。"
                "如忘记用户名或密码，请联系省平台（技术支持电话见页面底部）。",
                code="duplicate_credit_code",
            )
        return value

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if value:
            validate_id_number(value)
        return value

    def clean_licence(self):
        upload = self.cleaned_data.get("licence")
        if not upload:
            return upload
        # Pre-check the bytes so the message shows on the field; register() checks the
        # same catalogue material again when it stores the file.
        account_review().check_licence(upload, self.licence_formats)
        return upload

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ENTERPRISE_TYPES:
            if not data.get("credit_code") and "credit_code" not in self.errors:
                self.add_error("credit_code", "企业用户请填写统一社会信用代码。")
            if not data.get("licence") and "licence" not in self.errors:
                self.add_error("licence", "企业用户请上传营业执照扫描件（.jpg 或 .png）。")
        elif kind == ApplicantType.RESIDENT:
            if not data.get("id_number") and "id_number" not in self.errors:
                self.add_error("id_number", "个人/居民用户请填写身份证号码。")
        password = data.get("password1")
        if password and "password2" not in self.errors:
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def service_arguments(self) -> dict:
        """Keyword arguments for accounts.services.register()."""
        data = self.cleaned_data
        enterprise = self.is_enterprise
        licence = data.get("licence") if enterprise else None
        return {
            "username": data["username"],
            "password": data["password1"],
            "kind": data["kind"],
            "name": data["name"],
            "contact_name": data["contact_name"],
            "mobile": data["mobile"],
            "region": data["region"],
            "credit_code": data.get("credit_code", "") if enterprise else "",
            "id_number": data.get("id_number", "") if not enterprise else "",
            "email": data.get("email", ""),
            "licence": licence,
            "licence_name": licence.name if licence else "",
        }


class PortalLoginForm(AuthenticationForm):
    """Checks the rate limit and the idle lock before the password, and says why."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确。连续输错 5 次后需等待 15 分钟才能再次登录。",
        "inactive": "此账号已停用，请联系省平台。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username:
            try:
                check_login_allowed(username, client_ip(self.request))
            except LoginRefused as exc:
                raise ValidationError(exc.message, code="refused") from exc
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        applicant = getattr(user, "applicant", None)
        if applicant is not None and applicant.status == Applicant.Status.REJECTED:
            reason = applicant.status_note or _account_opinion(applicant)
            raise ValidationError(
                "账号注册未通过审核"
                + (f"（{reason}）" if reason else "")
                + "，不能登录。请按审核意见准备材料后联系省平台（技术支持电话见页面底部）。",
                code="rejected",
            )


def _account_opinion(applicant) -> str:
    return account_review().opinion(applicant)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="令牌名称",
        max_length=100,
        help_text="用于区分不同的对接系统，例如“运营平台推送”。",
        error_messages={"required": "请填写令牌名称。"},
    )
