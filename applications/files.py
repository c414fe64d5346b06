"""The one place a stored file becomes an HTTP response, and the one place stored
objects are removed.

Every view that serves an applicant's material (portal, API, review admin, archive)
calls these functions after its own access check. The name offered to the browser
always ends in the extension of the type the bytes were recognised as at upload
(`Attachment.format`), never the extension the applicant chose: a PDF/HTML polyglot
uploaded as `营业执照核验.hta` is served as `营业执照核验.pdf`, `application/pdf`.
`cms.storage.private_file_response` adds nosniff, the sandboxing CSP and no-store, and
sets the same name and type on S3 presigned URLs.
"""

import logging
import re

from django.http import Http404

from cms.storage import private_file_response

from .models import private_storage
from .uploads import CONTENT_TYPES

logger = logging.getLogger(__name__)

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_SAME = {"jpg": (".jpg", ".jpeg")}


def download_name(original_name: str, fmt: str) -> str:
    """`original_name` with its extension replaced by the detected format's."""
    name = (original_name or "").strip() or "文件"
    if name.lower().endswith(_SAME.get(fmt, (f".{fmt}",))):
        return name
    stem = _EXTENSION.sub("", name) or "文件"
    return f"{stem}.{fmt}"


def serve_file(name, *, original_name, fmt, as_attachment=True, storage=None):
    """Serve the stored object `name` whose bytes were recognised as `fmt`."""
    return private_file_response(
        name,
        filename=download_name(original_name, fmt),
        content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"),
        as_attachment=as_attachment,
        storage=storage,
    )


def serve_attachment(attachment, *, as_attachment=True):
    """The attachment's original file."""
    return serve_file(
        attachment.file.name,
        original_name=attachment.original_name,
        fmt=attachment.format,
        as_attachment=as_attachment,
    )


def serve_preview(attachment, *, suffix="-预览"):
    """The JPEG preview (image, or a PDF's first page) shown inline; an image without a
    stored preview is shown itself. Http404 when there is nothing to show."""
    if attachment.preview:
        stem = _EXTENSION.sub("", attachment.original_name or "") or "文件"
        return serve_file(
            attachment.preview.name,
            original_name=f"{stem}{suffix}.jpg",
            fmt="jpg",
            as_attachment=False,
        )
    if attachment.is_image:
        return serve_attachment(attachment, as_attachment=False)
    raise Http404("此文件没有预览图")


def object_names(*attachments) -> list[str]:
    """The stored objects (file and preview) of these attachments."""
    return [name for a in attachments for name in (a.file.name, a.preview.name) if name]


def discard_objects(names) -> None:
    """Remove stored objects whose rows are gone (or never were); a failure is logged
    for someone to remove the object by hand, never raised over the caller's error."""
    storage = private_storage()
    for name in filter(None, names):
        try:
            storage.delete(name)
        except Exception:
            logger.error("stored object %s could not be deleted; remove it by hand", name)
