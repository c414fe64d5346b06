"""Intake at the 综合窗口: find or create the applicant on the spot, open the joint
application for them. Identity numbers are validated, encrypted at rest (Applicant.id_number)
and never logged or shown in full; the applicant does not register online."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Applicant,
    mobile_validator,
    normalise_credit_code,
    validate_credit_code,
    validate_id_number,
)
from applications.models import Application, Channel, State
from applications.workflow import WorkflowError, create_application
from catalogue.models import ApplicantType, ApplicationKind

from .models import ClaimTicket, WindowDesk


def desks_of(user):
    if not user.is_authenticated or not user.is_active:
        return WindowDesk.objects.none()
    if user.is_superuser:
        return WindowDesk.objects.all()
    return user.window_desks.all()


def is_window_staff(user) -> bool:
    return desks_of(user).exists()


def serves(user, application) -> bool:
    """Staff of the 综合窗口 of the case's county (they print and hand over its documents)."""
    return desks_of(user).filter(region_id=application.region_id).exists()


def acts_on_behalf(user, application) -> bool:
    """Registered in applications.hooks: the county's window acts for an applicant who
    has no online account (they sign on paper at the counter)."""
    return is_offline(application.applicant) and serves(user, application)


def desk_for(user, region) -> WindowDesk:
    desk = desks_of(user).filter(region=region).first()
    if desk is None:
        raise WorkflowError("您不是该县（区）综合窗口的工作人员。")
    return desk


def window_applications(user):
    """What window staff may open: the joint applications of their regions that were
    entered at the window or have reached the window (预审 and after)."""
    regions = desks_of(user).values_list("region", flat=True)
    return (
        Application.objects.filter(region__in=regions, kind=ApplicationKind.JOINT_INSTALLATION)
        .filter(Q(channel=Channel.WINDOW) | ~Q(state=State.DRAFT))
        .select_related("applicant", "region")
    )


def get_window_application(user, reference) -> Application:
    try:
        return window_applications(user).get(reference=reference)
    except Application.DoesNotExist as exc:
        raise Http404("申请不存在") from exc


def _check(validator, value) -> list[str]:
    try:
        validator(value)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _offline_user():
    """A login-less account: the person has not registered online (see window.claim)."""
    user = get_user_model()(username=f"window-{secrets.token_hex(8)}", is_active=False)
    user.set_unusable_password()
    user.save()
    return user


def is_offline(applicant) -> bool:
    return not applicant.user.has_usable_password()


@transaction.atomic
def find_or_create_resident(desk, *, name, id_number, mobile) -> Applicant:
    name = (name or "").strip()
    id_number = (id_number or "").strip().upper()
    mobile = (mobile or "").strip()
    problems = [] if name else ["请填写申请人姓名。"]
    problems += _check(validate_id_number, id_number) + _check(mobile_validator, mobile)
    if problems:
        raise WorkflowError(problems)
    candidates = Applicant.objects.filter(kind=ApplicantType.RESIDENT).filter(
        Q(mobile=mobile) | Q(name=name)
    )
    for candidate in candidates.select_related("user"):
        if candidate.id_number == id_number:
            if candidate.name != name:
                raise WorkflowError("该身份证号码已登记，但姓名不一致，请核对身份证件。")
            return candidate
    return Applicant.objects.create(
        user=_offline_user(),
        kind=ApplicantType.RESIDENT,
        name=name,
        id_number=id_number,
        contact_name=name,
        mobile=mobile,
        region=desk.region,
        status=Applicant.Status.ACTIVE,
        reviewed_at=timezone.now(),
        status_note="综合窗口代办登记",
    )


@transaction.atomic
def find_or_create_company(
    desk, *, name, credit_code, contact_name, mobile, kind=ApplicantType.BUILDER
) -> Applicant:
    name, contact_name = (name or "").strip(), (contact_name or "").strip()
    code = normalise_credit_code(credit_code or "")
    problems = _check(validate_credit_code, code)
    if problems:
        raise WorkflowError(problems)
    existing = Applicant.objects.filter(credit_code=code).select_related("user").first()
    if existing is not None:
        return existing
    problems += [] if name else ["请填写企业名称。"]
    problems += [] if contact_name else ["请填写联系人。"]
    problems += _check(mobile_validator, (mobile or "").strip())
    if kind not in (ApplicantType.BUILDER, ApplicantType.OPERATOR):
        problems.append("企业类型应为充电设施建设方或运营商。")
    if problems:
        raise WorkflowError(problems)
    return Applicant.objects.create(
        user=_offline_user(),
        kind=kind,
        name=name,
        credit_code=code,
        contact_name=contact_name,
        mobile=mobile.strip(),
        region=desk.region,
        status=Applicant.Status.ACTIVE,
        reviewed_at=timezone.now(),
        status_note="综合窗口代办登记",
    )


@transaction.atomic
def open_application(desk, applicant, item_codes, *, staff) -> Application:
    """The joint application entered by `staff` for `applicant` (channel 窗口). Someone
    without an online account gets a 认领码 to claim it later."""
    if staff not in desk.members.all() and not staff.is_superuser:
        raise WorkflowError("您不是该县（区）综合窗口的工作人员。")
    application = create_application(
        applicant,
        ApplicationKind.JOINT_INSTALLATION,
        user=staff,
        item_codes=item_codes,
        channel=Channel.WINDOW,
    )
    if application.region_id != desk.region_id:
        # An online account registered elsewhere still files here: the case is local.
        application.region = desk.region
        application.save(update_fields=["region"])
    if is_offline(applicant):
        ClaimTicket.objects.create(
            application=application,
            code=f"{secrets.randbelow(10**8):08d}",
            mobile=applicant.mobile,
        )
    return application


def portal_links(user, application=None) -> list[tuple[str, str]]:
    """Registered in applications.hooks: the desk for staff, the claim for applicants."""
    if application is not None:
        return []
    links = []
    if is_window_staff(user):
        links.append(("综合窗口：为申请人代办", reverse("window:desk")))
    if getattr(user, "applicant", None) is not None:
        links.append(("认领窗口代办的申请", reverse("window:claim")))
    return links


def staff_filing_url(user, kind):
    if kind == ApplicationKind.JOINT_INSTALLATION and is_window_staff(user):
        return reverse("window:new")
    return None
