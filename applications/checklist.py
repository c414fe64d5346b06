"""The checklist an application's material is measured against.

The catalogue's material requirements are the only list of what an application needs:
`checklist()` turns them into the applicant's and the reviewer's checklist. Below
`rules` and `workflow` (both read it); storing and removing files is `materials`.
"""

from dataclasses import dataclass, field

from catalogue.models import MaterialRequirement

from .models import Attachment


@dataclass
class ChecklistRow:
    requirement: MaterialRequirement
    attachments: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.attachments)

    @property
    def rejected(self) -> list:
        return [a for a in self.attachments if a.verdict == Attachment.Verdict.REJECTED]

    @property
    def valid_count(self) -> int:
        return self.count - len(self.rejected)

    @property
    def status(self) -> str:
        """'ok' | 'missing' | 'rejected' | 'later' | 'optional'."""
        req = self.requirement
        if self.rejected:
            return "rejected"
        if not req.takes_upload:
            return "ok" if not req.due_at_submission else "missing"
        if self.valid_count >= req.min_count:
            return "ok"
        if req.due_at_submission:
            return "missing"
        return "later" if req.required else "optional"

    @property
    def status_label(self) -> str:
        return {
            "ok": "已提供",
            "missing": "缺少",
            "rejected": "需重新上传",
            "later": _later_label(self.requirement),
            "optional": "选交",
        }[self.status]

    @property
    def problem(self) -> str:
        """What is wrong, in words an applicant can act on; '' when nothing is."""
        req = self.requirement
        if self.rejected:
            notes = "；".join(a.verdict_note for a in self.rejected if a.verdict_note)
            return f"“{req.name}”审核不合格{('：' + notes) if notes else ''}，请重新上传。"
        if self.status == "missing":
            if req.min_count > 1:
                return f"“{req.name}”至少需要 {req.min_count} 份，已提供 {self.valid_count} 份。"
            return f"缺少“{req.name}”。"
        return ""


def _later_label(requirement) -> str:
    source = MaterialRequirement.Source
    return {
        source.DEFERRABLE: "可容缺，可后补",
        source.SYSTEM: "系统自动获取",
        source.ORIGINAL: "现场核验原件",
    }.get(requirement.source, "待提供")


def checklist(application) -> list[ChecklistRow]:
    attachments = {}
    for attachment in application.attachments.select_related("requirement").order_by(
        "uploaded_at", "pk"
    ):
        attachments.setdefault(attachment.requirement_id, []).append(attachment)
    return [
        ChecklistRow(requirement=req, attachments=attachments.get(req.pk, []))
        for req in application.requirements()
    ]


def checklist_problems(application) -> list[str]:
    return [row.problem for row in checklist(application) if row.problem]
