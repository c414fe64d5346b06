"""Storing and removing uploaded material.

`add_attachment()` validates every upload against the application's checklist rows
(`checklist.py`, re-exported here) and goes through `workflow` for the account check,
the row lock and reopening an approved department's review.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from catalogue.models import MaterialRequirement

from . import events
from .checklist import ChecklistRow, checklist, checklist_problems
from .files import discard_objects, object_names
from .models import Attachment, DepartmentReview, private_storage
from .uploads import UploadRejected, display_name, inspect_upload, make_preview, storage_key
from .workflow import IN_REVIEW, WorkflowError, lock, reopen_approved, require_applicant_may_act

__all__ = [
    "ChecklistRow",
    "accepts_late_upload",
    "add_attachment",
    "checklist",
    "checklist_problems",
    "duplicate_hashes",
    "remove_attachment",
    "requirement_for",
]

logger = logging.getLogger(__name__)


def requirement_for(application, code_or_pk) -> MaterialRequirement:
    """The application's requirement by catalogue code or primary key."""
    requirements = application.requirements()
    key = str(code_or_pk)
    found = (
        requirements.filter(pk=int(key)).first()
        if key.isascii() and key.isdigit() and len(key) < 10
        else requirements.filter(code=key).first()
    )
    if found is None:
        raise UploadRejected(f"此申请没有“{key}”这项材料，请按材料清单选择。")
    return found


def accepts_late_upload(application, requirement) -> bool:
    """可容缺 material may follow after submission, until its department has decided."""
    return (
        requirement.source == MaterialRequirement.Source.DEFERRABLE
        and application.state in IN_REVIEW
        and not application.reviews.filter(
            department=requirement.item.department_id,
            status__in=[DepartmentReview.Status.APPROVED, DepartmentReview.Status.REJECTED],
        ).exists()
    )


def _reopen_for(application, requirement, *, user, what: str) -> None:
    """A change to an approved department's material reopens that department's review."""
    reopen_approved(
        application, [requirement.item.department_id], user=user, note=f"{what}“{requirement.name}”"
    )


def add_attachment(application, requirement, upload, *, user, name: str | None = None):
    """Validate and store one file; returns the new Attachment.

    The file's bytes are checked against the requirement's formats before anything is
    written. The object is stored first and the row inserted in the same transaction;
    if either fails, whatever was written is removed, so no row points at a missing
    object and no object is left without its row.
    """
    try:
        require_applicant_may_act(application)
    except WorkflowError as exc:
        raise UploadRejected(exc.message) from exc
    application.refresh_from_db(fields=["state"])
    if not (application.is_editable or accepts_late_upload(application, requirement)):
        raise UploadRejected("申请已提交，当前不能修改材料；如需修改，请先撤回申请。")
    if not application.requirements().filter(pk=requirement.pk).exists():
        raise UploadRejected(f"“{requirement.name}”不是此申请所需的材料。")
    if not requirement.takes_upload:
        raise UploadRejected(f"“{requirement.name}”无需上传文件。")
    existing = application.attachments.filter(requirement=requirement).count()
    if existing >= requirement.max_count:
        raise UploadRejected(
            f"“{requirement.name}”最多上传 {requirement.max_count} 份，已有 {existing} 份；"
            "如需替换，请先删除旧文件。"
        )

    shown_name = display_name(name or getattr(upload, "name", "") or "")
    inspection = inspect_upload(upload, name=shown_name, formats=requirement.format_list)
    try:
        preview = make_preview(upload, inspection.format)
    except Exception:  # a preview is a convenience; never refuse a valid file over it
        logger.warning("preview failed for %s", shown_name, exc_info=True)
        preview = None
    upload.seek(0)

    storage = private_storage()
    key = storage_key(f"applications/{application.pk}", inspection.format)
    written = []
    try:
        with transaction.atomic():
            # Re-checked under the row lock: a reviewer deciding at this moment waits.
            locked = lock(application)
            if not (locked.is_editable or accepts_late_upload(locked, requirement)):
                raise UploadRejected("申请状态已变化，当前不能修改材料，请刷新后重试。")
            stored_name = storage.save(key, upload)
            written.append(stored_name)
            preview_name = ""
            if preview:
                preview_name = storage.save(
                    stored_name.rsplit(".", 1)[0] + ".preview.jpg", ContentFile(preview)
                )
                written.append(preview_name)
            attachment = Attachment.objects.create(
                application=application,
                requirement=requirement,
                file=stored_name,
                preview=preview_name,
                original_name=shown_name,
                format=inspection.format,
                content_type=inspection.content_type,
                size=inspection.size,
                sha256=inspection.sha256,
                width=inspection.width,
                height=inspection.height,
                pages=inspection.pages,
                uploaded_by=user,
            )
            events.record(
                application,
                user,
                "uploaded" if application.is_editable else "deferred_material_supplied",
                note=f"{requirement.name}：{shown_name}",
                to_state="",  # a material step, not a state step: both states left blank
            )
            _reopen_for(locked, requirement, user=user, what="上传")
    except BaseException:
        discard_objects(written)
        raise
    return attachment


def remove_attachment(attachment, *, user) -> None:
    """Delete an attachment's row, then its objects once the transaction commits."""
    try:
        require_applicant_may_act(attachment.application)
    except WorkflowError as exc:
        raise UploadRejected(exc.message) from exc
    names = object_names(attachment)
    with transaction.atomic():
        application = lock(attachment.application)
        if not application.is_editable:
            raise UploadRejected("申请已提交，当前不能删除材料；如需修改，请先撤回申请。")
        _reopen_for(application, attachment.requirement, user=user, what="删除")
        events.record(
            application,
            user,
            "attachment_removed",
            note=f"{attachment.requirement.name}：{attachment.original_name}",
            to_state="",
        )
        attachment.delete()
        transaction.on_commit(lambda: discard_objects(names))


def duplicate_hashes(application) -> set[str]:
    """SHA-256 values uploaded more than once in this application."""
    seen, dupes = set(), set()
    for digest in application.attachments.values_list("sha256", flat=True):
        (dupes if digest in seen else seen).add(digest)
    return dupes
