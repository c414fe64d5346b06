"""The printed documents, as a registry: one `DocumentKind` per kind.

Each kind declares its title, its template (the same one for the HTML view and the
PDF), which documents of that kind a case has (`issued`: none yet → `unavailable`
gives the reason in Chinese) and a context builder for the template. A kind that
exists once per department (decisions) or per notice has several `Issued`, told
apart by `key` (the department code, the notice id).

Later steps (the 窗口's 受理, 装表接电) change what a kind reads here, not its interface.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from applications import workflow
from applications.models import Application, DepartmentReview, State
from catalogue.models import ApplicationKind, Department
from connection.models import Connection

from . import contexts

WINDOW_ISSUER = "“高效办成一件事”综合窗口"
POWER_DEPARTMENT = "power"
WINDOW_KEY = "window"  # the 综合窗口's 不予受理, beside the departments' codes


@dataclass(frozen=True)
class Issued:
    """One document of one kind for one case."""

    kind: str
    key: str
    title: str
    issued_at: datetime | None
    department: Department | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def issuer(self) -> str:
        if self.department is None:
            return WINDOW_ISSUER
        return self.department.full_name or self.department.name


@dataclass(frozen=True)
class DocumentKind:
    name: str
    title: str
    template: str
    issued: Callable[[Application], list[Issued]]
    why_not: Callable[[Application], str]
    context: Callable[[Application, Issued], dict]
    delivered: bool = True  # tracked for 送达 (the application form is the applicant's own)

    def unavailable(self, application: Application, key: str = "") -> str | None:
        """None when the case has this document (the one named by `key`), else why not."""
        return select(self, application, key)[1]


def select(kind: DocumentKind, application: Application, key: str = ""):
    """(Issued, None) or (None, reason in Chinese)."""
    documents = kind.issued(application)
    if not documents:
        return None, kind.why_not(application)
    if key:
        for document in documents:
            if document.key == key:
                return document, None
        options = "、".join(f"{d.key}（{d.issuer}）" for d in documents)
        return None, f"该申请没有编号为“{key}”的{kind.title}；现有：{options}。"
    if len(documents) > 1 and kind.name != "supplement_notice":
        options = "、".join(f"{d.key}（{d.issuer}）" for d in documents)
        return None, f"该申请有多份{kind.title}，请指定部门：{options}。"
    return documents[0], None


# --- what a case has ------------------------------------------------------------------


def _joint(application):
    return getattr(application, "joint_installation", None)


def _is_case(application) -> bool:
    return application.kind != ApplicationKind.ACCOUNT


def _application_form(application):
    joint = _joint(application) if application.kind == ApplicationKind.JOINT_INSTALLATION else None
    if joint is None:
        return []
    return [
        Issued("application_form", "", "“充电桩报装一件事”联办申请表", application.submitted_at)
    ]


def _application_form_why(application):
    if application.kind != ApplicationKind.JOINT_INSTALLATION:
        return "只有“充电桩报装一件事”申请有联办申请表。"
    return "联办申请表尚未填写。"


def _acceptance_receipt(application):
    if not _is_case(application) or application.submitted_at is None:
        return []
    if application.window_due_date is not None:  # went through the 综合窗口's 预审
        if application.accepted_at is None:
            return []  # waiting at the window, sent back for 补正, or 不予受理
        return [Issued("acceptance_receipt", "", "受理回执", application.accepted_at)]
    # A county without a staffed window: the departments received it at submission.
    if application.state == State.DRAFT:
        return []
    return [Issued("acceptance_receipt", "", "受理回执", application.submitted_at)]


def _acceptance_why(application):
    if not _is_case(application):
        return "账号注册申请没有受理回执。"
    if application.state == State.NOT_ACCEPTED:
        return "综合窗口已决定不予受理，没有受理回执，请查看不予受理告知书。"
    if application.window_due_date is not None and application.accepted_at is None:
        return "申请尚未经综合窗口受理，还没有受理回执。"
    return "申请尚未提交受理，还没有受理回执。"


def _supplement_notices(application):
    if not _is_case(application):
        return []
    return [
        Issued("supplement_notice", str(notice.pk), "一次性告知书", notice.created_at)
        for notice in application.supplement_notices.order_by("-created_at", "-pk")
    ]


def _decided_reviews(application, status):
    if not _is_case(application):
        return []
    return list(
        application.reviews.filter(status=status)
        .select_related("department")
        .order_by("department__pk")
    )


def _decisions(application):
    return [
        Issued(
            "decision",
            review.department.code,
            "办结通知书" if review.department.code == POWER_DEPARTMENT else "准予许可决定书",
            review.decided_at,
            review.department,
            {"review": review},
        )
        for review in _decided_reviews(application, DepartmentReview.Status.APPROVED)
    ]


def _window_refusal(application):
    if application.state != State.NOT_ACCEPTED:
        return []
    return [Issued("rejection_notice", WINDOW_KEY, "不予受理告知书", application.decided_at, None)]


def _rejections(application):
    return _window_refusal(application) + [
        Issued(
            "rejection_notice",
            review.department.code,
            "不予许可告知书",
            review.decided_at,
            review.department,
            {"review": review},
        )
        for review in _decided_reviews(application, DepartmentReview.Status.REJECTED)
    ]


def _power_plan(application):
    """Once 供电 has offered its 供电方案（合同） in 装表接电 (connection); a case approved
    before that step existed has it from the 供电 approval."""
    if application.kind != ApplicationKind.JOINT_INSTALLATION or _joint(application) is None:
        return []
    plan = Connection.objects.filter(application=application).first()
    if workflow.continues_after_approval(application) and (
        plan is None or plan.plan_offered_at is None
    ):
        return []
    return [
        Issued(
            "power_plan",
            "",
            "装表接电方案（合同）",
            plan.plan_offered_at if plan is not None else issued.issued_at,
            issued.department,
            issued.extra,
        )
        for issued in _decisions(application)
        if issued.key == POWER_DEPARTMENT
    ]


def _power_plan_why(application):
    if application.kind != ApplicationKind.JOINT_INSTALLATION:
        return "只有“充电桩报装一件事”申请有装表接电方案。"
    if application.state == State.CONNECTING:
        return "供电公司尚未出具供电方案（合同），还没有装表接电方案。"
    return "供电部门尚未审核通过，还没有装表接电方案。"


# --- kinds ------------------------------------------------------------------------------


def _kind(name, title, issued, why_not, context, delivered=True):
    return DocumentKind(
        name=name,
        title=title,
        template=f"documents/kinds/{name}.html",
        issued=issued,
        why_not=why_not,
        context=context,
        delivered=delivered,
    )


def _build_registry():
    return {
        kind.name: kind
        for kind in (
            _kind(
                "application_form",
                "联办申请表",
                _application_form,
                _application_form_why,
                contexts.application_form,
                delivered=False,
            ),
            _kind(
                "acceptance_receipt",
                "受理回执",
                _acceptance_receipt,
                _acceptance_why,
                contexts.acceptance_receipt,
            ),
            _kind(
                "supplement_notice",
                "一次性告知书",
                _supplement_notices,
                lambda a: "该申请没有一次性告知（无需补正）。",
                contexts.supplement_notice,
            ),
            _kind(
                "rejection_notice",
                "不予受理（许可）告知书",
                _rejections,
                lambda a: "没有部门作出不予许可的决定，没有不予受理（许可）告知书。",
                contexts.decision,
            ),
            _kind(
                "decision",
                "准予许可决定书/办结通知书",
                _decisions,
                lambda a: "还没有部门审核通过，没有准予许可决定书或办结通知书。",
                contexts.decision,
            ),
            _kind(
                "power_plan",
                "装表接电方案（合同）",
                _power_plan,
                _power_plan_why,
                contexts.power_plan,
            ),
        )
    }


KINDS: dict[str, DocumentKind] = _build_registry()
KIND_NAMES = tuple(KINDS)


def get_kind(name: str) -> DocumentKind | None:
    return KINDS.get(name)


def issued_documents(application, *, delivered_only=False) -> list[Issued]:
    """Every document the case has now, in registry order."""
    return [
        document
        for kind in KINDS.values()
        if kind.delivered or not delivered_only
        for document in kind.issued(application)
    ]
