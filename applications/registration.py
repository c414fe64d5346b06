"""How an enterprise account is reviewed: as a 账号注册 application.

Installed into `accounts.hooks` by ApplicationsConfig.ready, so the account pages and
services ask for it without importing applications (README "Architecture").
"""

from django.core.exceptions import ValidationError

from catalogue.models import ApplicationKind

from . import workflow
from .access import visible_applications
from .files import discard_objects, object_names
from .materials import add_attachment, requirement_for
from .models import DepartmentReview
from .uploads import UploadRejected, inspect_upload


class AccountReview:
    def check_licence(self, upload, formats) -> None:
        try:
            inspect_upload(upload, name=upload.name, formats=formats)
        except UploadRejected as exc:
            raise ValidationError(str(exc), code="upload_rejected") from exc
        finally:
            upload.seek(0)

    def open(self, applicant, *, user, licence=None, licence_name="", submit=True):
        """The 账号注册 application with its licence scan; on any failure the stored
        objects are removed (the rows roll back with the caller's transaction)."""
        application = workflow.create_application(
            applicant, ApplicationKind.ACCOUNT, user=user, title=applicant.name
        )
        stored = None
        try:
            if licence is not None:
                stored = add_attachment(
                    application,
                    requirement_for(application, "business-licence"),
                    licence,
                    user=user,
                    name=licence_name or getattr(licence, "name", ""),
                )
            if submit:
                application = workflow.submit(application, user=user)  # the submitted copy
        except BaseException:
            if stored is not None:
                discard_objects(object_names(stored))
            raise
        return application

    def opinion(self, applicant) -> str:
        review = (
            DepartmentReview.objects.filter(
                application__applicant=applicant, application__kind=ApplicationKind.ACCOUNT
            )
            .exclude(opinion="")
            .order_by("-decided_at", "-pk")
            .first()
        )
        return review.opinion if review else ""

    def visible_applicants(self, user):
        return visible_applications(user).values("applicant_id")

    def refusal(self, exc):
        if isinstance(exc, UploadRejected):
            return "licence", str(exc)
        if isinstance(exc, workflow.WorkflowError):
            return None, exc.message
        return None
