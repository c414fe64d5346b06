"""The application's files for reviewers: preview and download, both audited."""

from .. import files, workflow
from .base import audit, get_review_attachment

# --- Files ------------------------------------------------------------------------


def attachment_preview(request, pk):
    """The JPEG preview (image or PDF first page) of one attachment, for the review page;
    audited like a download."""
    attachment = get_review_attachment(request.user, pk)
    response = files.serve_preview(attachment)
    _audit_file(request, attachment, "previewed", "applications.preview")
    return response


def attachment_download(request, pk):
    attachment = get_review_attachment(request.user, pk)
    response = files.serve_attachment(attachment)
    _audit_file(request, attachment, "downloaded", "applications.download")
    return response


def _audit_file(request, attachment, what, action):
    workflow.record_view(
        attachment.application,
        request.user,
        what,
        f"{attachment.requirement.name}：{attachment.original_name}",
    )
    audit(
        request,
        attachment.application,
        action,
        file=attachment.original_name,
        sha256=attachment.sha256,
    )
