"""The POST actions of the review page: start, judge a material, supplement, decide."""

from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from wagtail.admin import messages

from catalogue.models import Department

from .. import workflow
from ..access import (
    reviewer_departments,
)
from ..models import Attachment
from .base import audit, get_review_application, url

# --- Actions (POST) ---------------------------------------------------------------


class ReviewActionView(View):
    """Base for the POST-only actions of the review page; errors become messages."""

    http_method_names = ["post"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = get_review_application(request.user, kwargs["reference"])

    def department(self):
        raw = self.request.POST.get("department", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            return None
        return Department.objects.filter(pk=int(raw)).first()

    def post(self, request, *args, **kwargs):
        try:
            self.perform()
        except workflow.WorkflowError as exc:
            for problem in exc.problems:
                messages.error(request, problem)
        return redirect(url("application", self.application.reference) + self.anchor)

    anchor = ""

    def perform(self):  # pragma: no cover - abstract
        raise NotImplementedError


class StartReviewView(ReviewActionView):
    anchor = "#reviews"

    def perform(self):
        review = workflow.start_review(
            self.application, user=self.request.user, department=self.department()
        )
        audit(
            self.request,
            self.application,
            "applications.start_review",
            department=review.department.name,
        )
        messages.success(self.request, f"已开始审核（{review.department.name}）。")


class MaterialVerdictView(ReviewActionView):
    anchor = "#materials"

    def perform(self):
        try:
            attachment = self.application.attachments.select_related(
                "requirement__item__department"
            ).get(pk=self.kwargs["pk"])
        except Attachment.DoesNotExist as exc:
            raise Http404("文件不存在") from exc
        department = attachment.requirement.item.department
        user = self.request.user
        if (
            not user.is_superuser
            and not reviewer_departments(user).filter(pk=department.pk).exists()
        ):
            raise workflow.WorkflowError(
                f"“{attachment.requirement.name}”由{department.name}审核，您不能判定这份材料。"
            )
        verdict = self.request.POST.get("verdict")
        if verdict not in ("accept", "reject"):
            raise workflow.WorkflowError("请选择“合格”或“不合格”。")
        accepted = verdict == "accept"
        note = self.request.POST.get("note", "")
        workflow.judge_material(attachment, user=user, accepted=accepted, note=note)
        audit(
            self.request,
            self.application,
            "applications.material_verdict",
            material=attachment.requirement.name,
            file=attachment.original_name,
            verdict="accepted" if accepted else "rejected",
            note=note.strip(),
        )
        label = "合格" if accepted else "不合格"
        messages.success(self.request, f"已将“{attachment.original_name}”判定为{label}。")


class SupplementView(ReviewActionView):
    anchor = "#notices"

    def perform(self):
        extra = [line.strip() for line in self.request.POST.get("extra", "").splitlines()]
        notice = workflow.request_supplement(
            self.application,
            user=self.request.user,
            extra=[line for line in extra if line],
            message=self.request.POST.get("message", ""),
            department=self.department(),
        )
        audit(
            self.request,
            self.application,
            "applications.supplement",
            items=[item["problem"] for item in notice.items],
        )
        messages.success(
            self.request,
            f"已发出一次性告知，共 {len(notice.items)} 项需补正；申请人补正后重新提交，期限重新计算。",
        )


class DecideView(ReviewActionView):
    anchor = "#reviews"

    def perform(self):
        decision = self.request.POST.get("decision")
        if decision not in ("approve", "reject"):
            raise workflow.WorkflowError("请选择“通过”或“不通过”。")
        approve = decision == "approve"
        opinion = self.request.POST.get("opinion", "")
        review = workflow.decide(
            self.application,
            user=self.request.user,
            approve=approve,
            opinion=opinion,
            department=self.department(),
        )
        audit(
            self.request,
            self.application,
            "applications.approve" if approve else "applications.reject",
            department=review.department.name,
            opinion=opinion.strip(),
        )
        self.application.refresh_from_db()
        result = "通过" if approve else "不通过"
        messages.success(
            self.request,
            f"{review.department.name}审核结论：{result}。申请当前状态：{self.application.get_state_display()}。",
        )
