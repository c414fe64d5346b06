"""The extraction pipeline: from a stored file to an archive entry with text and fields.

Plain functions, called by the background task (:mod:`archive.tasks`), the management
commands, the admin and the tests:

* :func:`entry_for_attachment` -- the entry of an uploaded attachment (created once);
* :func:`run_extraction` -- read one entry's file (text layer, OCR, QR codes), recognise
  its fields and store everything; never raises, a failure is recorded on the entry;
* :func:`reset_for_retry` -- put an entry back in the queue with fresh attempts;
* :func:`declared_values` / :func:`mismatches` -- what the applicant typed, and where
  the recognised fields differ from it.

Extraction is a help for reviewers, never a gate: nothing here changes an
application's state, and a failed extraction leaves the application as it was.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from applications.models import Attachment, InvoiceLine, Technician, private_storage
from cms.chinese import date_text
from cms.storage import StorageUnavailable

from . import indexing
from .comparison import DATE_FIELDS, DECIMAL_FIELDS, FIELD_LABELS, Mismatch, compare
from .extract import MAX_PAGES, ExtractionError, extract
from .fields import recognise
from .models import ArchiveEntry, indexed_invoice
from .values import parse_date, parse_decimal

logger = logging.getLogger(__name__)

COPY_CHUNK = 1024 * 1024  # bytes copied at a time from a remote store to a temp file

METHOD_LABELS = {
    "text-layer": "文字层",
    "ocr": "OCR",
    "mixed": "文字层 + OCR",
    "none": "无可识别内容",
}


# --------------------------------------------------------------------------- entries


def _entry_values(attachment: Attachment) -> dict[str, Any]:
    return {
        "kind": attachment.requirement.archive_kind or ArchiveEntry.Kind.OTHER,
        "applicant_id": attachment.application.applicant_id,
        "original_name": attachment.original_name[:200],
        "format": attachment.format,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def entry_for_attachment(attachment: Attachment) -> ArchiveEntry:
    """The archive entry of an uploaded attachment, created (pending) on first call."""
    entry, _created = ArchiveEntry.objects.get_or_create(
        attachment=attachment, defaults=_entry_values(attachment)
    )
    return entry


def create_entry_for_attachment(attachment: Attachment) -> ArchiveEntry:
    """The entry of a just-uploaded attachment: one insert, no look-up (the upload
    signal calls this; use :func:`entry_for_attachment` anywhere else)."""
    return ArchiveEntry.objects.create(attachment=attachment, **_entry_values(attachment))


def reset_for_retry(entry: ArchiveEntry) -> ArchiveEntry:
    """Back to the queue with a fresh set of attempts (the caller enqueues it).
    Earlier text and fields stay until a new extraction succeeds."""
    _update(
        entry,
        status=ArchiveEntry.Status.PENDING,
        attempts=0,
        error="",
        started_at=None,
        finished_at=None,
    )
    return entry


def _update(entry: ArchiveEntry, **values: Any) -> bool:
    """Write ``values`` to the entry's row (and the instance); False when the row is
    gone (its attachment or application was deleted while we worked)."""
    for name, value in values.items():
        setattr(entry, name, value)
    return ArchiveEntry.objects.filter(pk=entry.pk).update(**values) == 1


# --------------------------------------------------------------------------- extraction


@contextmanager
def _readable_path(name: str, fmt: str) -> Iterator[str]:
    """A local path holding the stored object: the file itself on the local private
    storage, else a temporary copy streamed in 1 MiB chunks (S3 and the like)."""
    storage = private_storage()
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(name)
        yield path
        return
    suffix = f".{fmt}" if fmt.isalnum() else ""
    with (
        storage.open(name, "rb") as source,
        tempfile.NamedTemporaryFile(prefix="archive-", suffix=suffix) as copy,
    ):
        while chunk := source.read(COPY_CHUNK):
            copy.write(chunk)
        copy.flush()
        yield copy.name


def jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    """Recognised fields as JSON values: Decimals as strings, dates as ISO dates."""
    return json.loads(json.dumps(fields, cls=DjangoJSONEncoder))


def typed_fields(fields: dict[str, Any] | None) -> dict[str, Any]:
    """Stored (JSON) fields with amounts back as Decimals and dates as dates."""
    typed: dict[str, Any] = {}
    for name, value in (fields or {}).items():
        if name in DECIMAL_FIELDS:
            value = parse_decimal(value) if value not in (None, "") else value
        elif name in DATE_FIELDS:
            value = parse_date(value) or value
        typed[name] = value
    return typed


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, ExtractionError):
        return exc.message
    if isinstance(exc, StorageUnavailable):
        return exc.message
    if isinstance(exc, FileNotFoundError):
        return "存储中找不到该文件（可能已被删除或移动），无法识别。"
    if isinstance(exc, MemoryError):
        return "文件过大，识别时内存不足，无法识别。"
    return f"识别时发生意外错误（{exc.__class__.__name__}），请稍后重新识别；如持续失败，请联系技术支持。"


def run_extraction(entry: ArchiveEntry) -> ArchiveEntry:
    """Read the entry's file, recognise its fields and store the result.

    Marks the entry running (attempts + 1), then done with text, fields, QR payloads,
    method and page counts -- or failed with a Chinese reason. Never raises to the
    caller and never touches the application.
    """
    try:
        started = _update(
            entry,
            status=ArchiveEntry.Status.RUNNING,
            started_at=timezone.now(),
            finished_at=None,
            attempts=entry.attempts + 1,
        )
        if not started:
            logger.info("archive entry %s is gone; nothing to extract", entry.pk)
            return entry
        name = entry.stored_file.name
        if not name:
            raise FileNotFoundError(f"archive entry {entry.pk} has no file")
        with _readable_path(name, entry.format) as path:
            result = extract(path, entry.format)
        fields = recognise(entry.kind, result.text, result.qr_payloads)
        for note in result.notes:
            logger.info("archive entry %s: %s", entry.pk, note)
        saved = _update(
            entry,
            status=ArchiveEntry.Status.DONE,
            text=result.text,
            fields=jsonable(fields),
            **indexed_invoice(fields),
            qr_payloads=list(result.qr_payloads),
            method=result.method,
            pages=result.pages,
            ocr_pages=result.ocr_pages,
            error="",
            finished_at=timezone.now(),
        )
    except Exception as exc:
        if not isinstance(exc, ExtractionError | FileNotFoundError):
            logger.exception("extraction of archive entry %s failed", entry.pk)
        else:
            logger.warning("extraction of archive entry %s failed: %s", entry.pk, exc)
        try:
            _update(
                entry,
                status=ArchiveEntry.Status.FAILED,
                error=_failure_message(exc),
                finished_at=timezone.now(),
            )
        except Exception:  # the database itself is failing; the caller may retry
            logger.exception("could not record the failure of archive entry %s", entry.pk)
        return entry

    if saved:
        try:
            indexing.entry_changed(entry)
        except Exception:  # a broken index must not undo a good extraction
            logger.exception("indexing archive entry %s failed", entry.pk)
    return entry


def describe_result(entry: ArchiveEntry) -> str:
    """One Chinese phrase for a finished entry: "已完成（OCR 1 页）", "识别失败：…"."""
    if entry.status == ArchiveEntry.Status.FAILED:
        return f"识别失败：{entry.error}"
    if entry.status != ArchiveEntry.Status.DONE:
        return entry.get_status_display()
    if entry.method == "none":
        return "已完成（没有可识别的文字）"
    parts = []
    read = min(entry.pages, MAX_PAGES)
    text_pages = max(read - entry.ocr_pages, 0) if entry.method != "ocr" else 0
    if text_pages:
        parts.append(f"文字层 {text_pages} 页")
    if entry.ocr_pages:
        parts.append(f"OCR {entry.ocr_pages} 页")
    return f"已完成（{'，'.join(parts) or '0 页'}）"


# --------------------------------------------------------------------------- comparison


def declared_values(entry: ArchiveEntry) -> dict[str, Any]:
    """What the applicant declared for this material, keyed like
    :data:`archive.fields.FIELD_LABELS` (blank values are left out).

    * invoices: the invoice line(s) whose file this is -- invoice_number, invoice_code,
      invoice_amount (compared as ``amount``), issued_on, buyer_name;
    * licences: the applicant's credit_code and name (enterprises), and the company
      facts of an operator registration (registered_capital, legal_representative,
      registered_on);
    * certificates: the technician whose certificate this is -- certificate_number and
      holder_name.
    """
    kind = entry.kind
    declared: dict[str, Any] = {}
    if kind == ArchiveEntry.Kind.INVOICE and entry.attachment_id:
        line = (
            InvoiceLine.objects.filter(invoice_file_id=entry.attachment_id).order_by("pk").first()
        )
        if line is not None:
            declared = {
                "invoice_number": line.invoice_number,
                "invoice_code": line.invoice_code,
                "invoice_amount": line.invoice_amount,
                "issued_on": line.issued_on,
                "buyer_name": line.buyer_name,
            }
    elif kind == ArchiveEntry.Kind.LICENCE:
        applicant = entry.applicant
        if applicant is not None and applicant.credit_code:
            declared = {"credit_code": applicant.credit_code, "name": applicant.name}
        application = entry.application
        detail = application.detail if application is not None else None
        if detail is not None and hasattr(detail, "registered_capital"):
            declared.update(
                {
                    "name": detail.company_name,
                    "registered_capital": detail.registered_capital,
                    "legal_representative": detail.legal_representative,
                    "registered_on": detail.registered_on,
                }
            )
    elif kind == ArchiveEntry.Kind.CERTIFICATE and entry.attachment_id:
        technician = Technician.objects.filter(certificate_id=entry.attachment_id).first()
        if technician is not None:
            declared = {
                "certificate_number": technician.certificate_number,
                "holder_name": technician.name,
            }
    return {k: v for k, v in declared.items() if v not in (None, "")}


def mismatches(entry: ArchiveEntry) -> list[Mismatch]:
    """Recognised fields that differ from the declared ones (empty unless done)."""
    if entry.status != ArchiveEntry.Status.DONE or not entry.fields:
        return []
    return compare(typed_fields(entry.fields), declared_values(entry))


def field_rows(entry: ArchiveEntry) -> list[tuple[str, str]]:
    """(Chinese label, display value) of the recognised fields, in a fixed order."""
    typed = typed_fields(entry.fields)
    rows = []
    for name, label in FIELD_LABELS.items():
        if name in typed and typed[name] not in (None, ""):
            rows.append((label, display_value(typed[name])))
    return rows


def display_value(value: Any) -> str:
    if isinstance(value, date):
        return date_text(value)
    return str(value)
