"""File storage that fails clearly when the object store is unreachable.

Django saves a model's file before it inserts the row, so when the store is down
the save raises here and no row ever points at a missing object.
"""

import functools
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "文件存储服务暂时不可用，文件没有保存。请稍后重新上传；如持续出现，请联系平台技术支持。"
)
READ_UNAVAILABLE_MESSAGE = "文件存储服务暂时不可用，暂时无法读取文件，请稍后再试。"
NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound"}


class StorageUnavailable(Exception):
    """The object store could not be reached; nothing was stored."""

    def __init__(self, message=UNAVAILABLE_MESSAGE):
        super().__init__(message)
        self.message = message


def _translating(message):
    """Turn transport and server errors of the store into StorageUnavailable."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, name, *args, **kwargs):
            try:
                return method(self, name, *args, **kwargs)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                    raise FileNotFoundError(name) from exc
                logger.error("object storage %s failed for %s: %s", method.__name__, name, exc)
                raise StorageUnavailable(message) from exc
            except BotoCoreError as exc:
                logger.error("object storage %s failed for %s: %s", method.__name__, name, exc)
                raise StorageUnavailable(message) from exc

        return wrapper

    return decorate


class PortalS3Storage(S3Storage):
    _save = _translating(UNAVAILABLE_MESSAGE)(S3Storage._save)
    exists = _translating(UNAVAILABLE_MESSAGE)(S3Storage.exists)
    _open = _translating(READ_UNAVAILABLE_MESSAGE)(S3Storage._open)
    size = _translating(READ_UNAVAILABLE_MESSAGE)(S3Storage.size)
    delete = _translating("文件存储服务暂时不可用，文件没有删除，请稍后再试。")(S3Storage.delete)

    def ping(self) -> None:
        """Raise unless the bucket answers."""
        self.connection.meta.client.head_bucket(Bucket=self.bucket_name)


class PrivateFileSystemStorage(FileSystemStorage):
    """The local folder for applicants' uploads, outside MEDIA_ROOT.

    It has no URL: files are served only by the permission-checked download view, so
    even `make run` with DEBUG on never exposes them under /media/.
    """

    def url(self, name):
        raise NotImplementedError("Private files have no public URL; use the download view.")

    def _save(self, name, content):
        # A full disk or an unwritable folder gets the same clear message as a store
        # that is down, and the caller's transaction writes no row.
        try:
            return super()._save(name, content)
        except OSError as exc:
            logger.error("private folder save failed for %s: %s", name, exc)
            raise StorageUnavailable() from exc


def private_file_response(name, *, filename, content_type, as_attachment, storage=None):
    """The response serving one object of the private storage (``STORAGES["private"]``
    unless `storage` is given), for views that have checked access.

    On S3-compatible storage: a redirect to a presigned URL with the storage's short
    expiry, the store sending the bytes with the disposition and type set here.
    Locally: the file streamed under a sandboxing CSP. Never cached, never sniffed.
    """
    if storage is None:
        storage = storages["private"]
    if hasattr(storage, "bucket_name"):
        response = HttpResponseRedirect(
            storage.url(
                name,
                parameters={
                    "ResponseContentDisposition": content_disposition_header(
                        as_attachment, filename
                    ),
                    "ResponseContentType": content_type,
                },
            )
        )
    else:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404("文件不存在或已被删除") from exc
        response = FileResponse(
            handle, as_attachment=as_attachment, filename=filename, content_type=content_type
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
