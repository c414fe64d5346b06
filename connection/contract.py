"""The 供电方案（合同） the applicant signs: "装表接电方案（合同）由企业、居民签字确认".

Two ways, same result (status 待施工, who and when recorded): accepted in the portal
(`steps.sign_plan`), or the paper contract signed by hand and uploaded as a scan
(`upload_signed_scan`). The scan goes through `applications.uploads.inspect_upload` like
every other material (PDF/JPEG/PNG, recognised by its bytes), lands in the private
storage, and is removed again if anything after the write fails. It is served only
through `applications.files.serve_file`, to the applicant, 供电 and 住建 staff.

A resident the window filed for has no online account; the county's window staff upload
the scan they signed at the counter on their behalf.
"""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from applications import workflow
from applications.files import discard_objects, serve_file
from applications.models import private_storage
from applications.uploads import display_name, inspect_upload, storage_key
from applications.workflow import StateConflict, WorkflowError

from . import steps
from .models import Connection, SignedVia

SCAN_FORMATS = ["pdf", "jpg", "png"]
NOT_SIGNER = (
    "只有申请人本人可以提交签字确认的供电方案（合同）；"
    "未开通网上账号的申请人由受理的综合窗口代为上传。"
)


def _require_signer(user, application) -> None:
    if not steps.may_sign_for(user, application):
        raise WorkflowError(NOT_SIGNER)
    if application.applicant.user_id == user.pk:
        workflow.require_applicant_may_act(application)


def _require_offered(application) -> None:
    """Checked before the bytes are read, and again under the lock."""
    connection = steps.connection_for(application)
    if connection.status != Connection.Status.PLAN_OFFERED:
        raise StateConflict(
            f"装表接电当前进度为“{connection.get_status_display()}”，不能提交签字的供电方案（合同）。"
        )


def upload_signed_scan(application, *, user, upload, name=None) -> Connection:
    """Store the signed contract's scan and record the plan as signed by `user`, now.
    Raises UploadRejected (bad file) or WorkflowError (wrong person or step); nothing
    is stored then."""
    _require_signer(user, application)
    _require_offered(application)
    shown = display_name(name or getattr(upload, "name", "") or "")
    inspection = inspect_upload(upload, name=shown, formats=SCAN_FORMATS)
    upload.seek(0)
    written = []
    try:
        with transaction.atomic():
            connection = steps._locked(application, (Connection.Status.PLAN_OFFERED,))
            key = storage_key(f"connection/{application.pk}", inspection.format)
            written.append(private_storage().save(key, upload))
            _record(connection, user, written[0], shown, inspection)
            workflow.record_step(
                application, user, "plan_signed", note=f"上传签字确认的扫描件：{shown}"
            )
    except BaseException:
        discard_objects(written)
        raise
    return connection


def _record(connection, user, stored_name, shown, inspection) -> None:
    connection.status = Connection.Status.PLAN_SIGNED
    connection.plan_signed_at = timezone.now()
    connection.plan_signed_by = user
    connection.plan_signed_via = SignedVia.SCAN
    connection.signed_scan = stored_name
    connection.signed_scan_name = shown
    connection.signed_scan_format = inspection.format
    connection.signed_scan_size = inspection.size
    connection.signed_scan_sha256 = inspection.sha256
    connection.save()


def serve_signed_scan(connection, *, as_attachment=True):
    """The scan, after the caller's access check (applicant, 供电, 住建)."""
    if not connection.signed_scan:
        raise Http404("该办件没有上传签字的供电方案（合同）扫描件。")
    return serve_file(
        connection.signed_scan.name,
        original_name=connection.signed_scan_name,
        fmt=connection.signed_scan_format,
        as_attachment=as_attachment,
    )
