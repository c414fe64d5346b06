"""What the reviewer sees of the archive next to an uploaded file: 识别结果.

:func:`mismatch_panel_context` gathers the entry of one attachment, its status, the
recognised fields and where they differ from what the applicant declared; the partial
``archive/includes/mismatch_panel.html`` renders it. The reviewer's page includes it
per attachment with the inclusion tag::

    {% load archive_tags %}
    {% archive_mismatch_panel attachment %}

or with ``{% include "archive/includes/mismatch_panel.html" with panel=... %}`` when
the view has built the context itself (``panel = mismatch_panel_context(attachment)``).
"""

from __future__ import annotations

from typing import Any

from .models import ArchiveEntry
from .pipeline import METHOD_LABELS, describe_result, display_value, field_rows, mismatches


def entry_of(attachment) -> ArchiveEntry | None:
    try:
        return attachment.archive_entry
    except ArchiveEntry.DoesNotExist:
        return None


def mismatch_panel_context(attachment) -> dict[str, Any]:
    """{"entry", "status", "status_label", "summary", "method", "mismatches", "fields",
    "error"} for one attachment; ``entry`` is None (status "missing") when the file has
    no archive entry (uploaded before the archive existed)."""
    return entry_panel_context(entry_of(attachment))


def entry_panel_context(entry: ArchiveEntry | None) -> dict[str, Any]:
    """The same for an entry (imported ones included)."""
    if entry is None:
        return {
            "entry": None,
            "status": "missing",
            "status_label": "未识别",
            "summary": "此文件尚未进入识别队列。",
            "method": "",
            "mismatches": [],
            "fields": [],
            "error": "",
        }
    found = mismatches(entry)
    return {
        "entry": entry,
        "status": entry.status,
        "status_label": entry.get_status_display(),
        "summary": describe_result(entry),
        "method": METHOD_LABELS.get(entry.method, entry.method),
        "mismatches": [
            {
                "field": m.field,
                "label": m.label_zh,
                "declared": _shown(m.declared),
                "recognised": _shown(m.recognised),
                "message": m.message,
            }
            for m in found
        ],
        "fields": [{"label": label, "value": value} for label, value in field_rows(entry)],
        "error": entry.error if entry.status == ArchiveEntry.Status.FAILED else "",
    }


def _shown(value: Any) -> str:
    return display_value(value)
