"""办件进度查询 at /progress/, without login.

GET ``ref`` plus ``phone4`` (last four digits of the applicant's or the form's contact
mobile) or ``credit_code``. A wrong suffix gives the same neutral answer as an unknown
reference, so the page cannot be used to test which references exist. Lookups are
limited per client address and per reference (cache counters over a fixed window).
Shown: state, departments with deadlines and decisions, issued documents; never
material, opinions or names beyond a masked form.
"""

import re

from django.core.cache import cache
from django.shortcuts import render

from accounts.models import normalise_credit_code
from applications import hooks
from applications.models import Application, DepartmentReview, State

WINDOW_SECONDS = 600
MAX_PER_CLIENT = 10
MAX_PER_REFERENCE = 10
NOT_FOUND = "未找到匹配的办件，请核对申请编号和验证信息。"
LIMITED = "查询过于频繁，请 10 分钟后再试。"
REFERENCE = re.compile(r"^SQ\d{8,16}$")
# Apps above this one (documents) append a function application -> [{title, delivery}]
# listing the issued documents without personal data.
DOCUMENT_LISTERS = []


def _over_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > limit


def masked_name(name: str) -> str:
    """'信阳**********公司' for companies, '陈*' for people."""
    if not name:
        return ""
    if len(name) <= 3:
        return name[0] + "*" * (len(name) - 1)
    # A name is not a secret (cms.crypto.mask hides short secrets whole): keep its two
    # first and two last characters, as public notices print company names.
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def find(reference: str, phone4: str = "", credit_code: str = ""):
    application = (
        Application.objects.exclude(state=State.DRAFT)
        .select_related("applicant")
        .filter(reference=reference)
        .first()
    )
    if application is None:
        return None
    if phone4:
        mobiles = {application.applicant.mobile}
        joint = getattr(application, "joint_installation", None)
        if joint is not None:
            mobiles.add(joint.contact_phone)
        return application if any(m and m[-4:] == phone4 for m in mobiles) else None
    code = application.applicant.credit_code
    return application if code and code == credit_code else None


def _departments(application):
    reviews = application.reviews.select_related("department").order_by("pk")
    decided = (DepartmentReview.Status.APPROVED, DepartmentReview.Status.REJECTED)
    return [
        {
            "name": r.department.name,
            "status": r.get_status_display(),
            "received": r.received_at,
            "due_date": r.due_date,
            "decided_at": r.decided_at if r.status in decided else None,
            "overdue": r.is_overdue(),
        }
        for r in reviews
    ]


def progress(request):
    reference = (request.GET.get("ref") or "").strip().upper()
    phone4 = (request.GET.get("phone4") or "").strip()
    credit_code = normalise_credit_code(request.GET.get("credit_code") or "")
    context = {"ref": reference, "phone4": phone4, "credit_code": credit_code}
    if not reference:
        return render(request, "notifications/progress.html", context)
    errors = []
    if not phone4 and not credit_code:
        errors.append("请填写手机号码后 4 位，或统一社会信用代码。")
    elif phone4 and not re.fullmatch(r"\d{4}", phone4):
        errors.append("手机号码后 4 位应为 4 位数字。")
    if errors:
        return render(
            request, "notifications/progress.html", {**context, "errors": errors}, status=400
        )
    client = request.META.get("REMOTE_ADDR") or "unknown"
    limited = _over_limit(f"progress:client:{client}", MAX_PER_CLIENT)
    limited = _over_limit(f"progress:ref:{reference}", MAX_PER_REFERENCE) or limited
    if limited:
        return render(
            request, "notifications/progress.html", {**context, "errors": [LIMITED]}, status=429
        )
    application = find(reference, phone4, credit_code) if REFERENCE.match(reference) else None
    if application is None:
        return render(
            request, "notifications/progress.html", {**context, "not_found": NOT_FOUND}, status=404
        )
    context.update(
        {
            "application": application,
            "applicant": masked_name(application.applicant.name),
            "departments": _departments(application),
            "steps": hooks.steps(application),  # 窗口预审, 装表接电
            "documents": [doc for lister in DOCUMENT_LISTERS for doc in lister(application)],
        }
    )
    return render(request, "notifications/progress.html", context)
