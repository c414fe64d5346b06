"""Duplicate detection across applications and the paper archive.

The same file (SHA-256) in another application or among imported paper archives, and
an invoice (code or empty, number) used in more than one application. Used by the
review page (`duplicates_for_application`) and by the archive search's hit flags
(`duplicate_flags_for`).
"""

from applications.models import Attachment, InvoiceLine

from .models import ArchiveEntry

_APP = "attachment__application__"


def invoice_lines_for(entries) -> dict[int, list[InvoiceLine]]:
    """InvoiceLines whose invoice file is the attachment of one of these entries."""
    attachment_ids = [e.attachment_id for e in entries if e.attachment_id]
    lines: dict[int, list] = {}
    for line in InvoiceLine.objects.filter(invoice_file_id__in=attachment_ids).order_by("pk"):
        lines.setdefault(line.invoice_file_id, []).append(line)
    return lines


def _invoice_keys(entry, lines) -> set[tuple[str, str]]:
    keys = {(line.invoice_code or "", line.invoice_number) for line in lines}
    fields = entry.fields if isinstance(entry.fields, dict) else {}
    if fields.get("invoice_number"):
        keys.add((str(fields.get("invoice_code") or ""), str(fields["invoice_number"])))
    return keys


def _same_invoice(code_a: str, code_b: str) -> bool:
    """Same number; the codes agree or one is missing (全电发票 have no code)."""
    return not code_a or not code_b or code_a == code_b


def invoice_uses(numbers) -> dict[str, list[tuple[str, int, str]]]:
    """{invoice number: [(invoice code, application id, reference), ...]} for every
    application that uses one of these invoice numbers: declared on an invoice line,
    or recognised on an uploaded file (an invoice sent as some other material)."""
    numbers = {str(n) for n in numbers if n}
    uses: dict[str, set[tuple[str, int, str]]] = {}
    if not numbers:
        return {}
    declared = InvoiceLine.objects.filter(invoice_number__in=numbers).values_list(
        "invoice_code",
        "invoice_number",
        "subsidy__application_id",
        "subsidy__application__reference",
    )
    recognised = ArchiveEntry.objects.filter(
        invoice_number__in=numbers, attachment__isnull=False
    ).values_list(
        "invoice_code",
        "invoice_number",
        f"{_APP}id",
        f"{_APP}reference",
    )
    for code, number, application_id, reference in [*declared, *recognised]:
        uses.setdefault(str(number), set()).add((str(code or ""), application_id, reference))
    return {number: sorted(found) for number, found in uses.items()}


def duplicate_flags_for(entries, lines=None) -> dict[int, list[str]]:
    """{entry id: ["invoice_reused", "same_file"]} for these entries."""
    entries = list(entries)
    lines = invoice_lines_for(entries) if lines is None else lines
    flags: dict[int, list[str]] = {e.pk: [] for e in entries}

    keys = {e.pk: _invoice_keys(e, lines.get(e.attachment_id, [])) for e in entries}
    numbers = {number for entry_keys in keys.values() for _code, number in entry_keys}
    uses = invoice_uses(numbers)

    digests = {e.sha256 for e in entries if e.sha256}
    holders: dict[str, set[int]] = {}
    for digest, application_id in Attachment.objects.filter(sha256__in=digests).values_list(
        "sha256", "application_id"
    ):
        holders.setdefault(digest, set()).add(application_id)
    imported: dict[str, set[int]] = {}
    # Looked up by the indexed digest alone: "attachment IS NULL" in the query would
    # lead SQLite's planner to walk every imported entry instead.
    for digest, pk, attachment_id in ArchiveEntry.objects.filter(sha256__in=digests).values_list(
        "sha256", "pk", "attachment_id"
    ):
        if attachment_id is None:
            imported.setdefault(digest, set()).add(pk)

    for entry in entries:
        own = entry.attachment.application_id if entry.attachment_id else None
        applications = {own} if own else set()
        for code, number in keys[entry.pk]:
            applications.update(
                app
                for other_code, app, _reference in uses.get(number, [])
                if _same_invoice(code, other_code)
            )
        if len(applications) > 1:
            flags[entry.pk].append("invoice_reused")
        others = holders.get(entry.sha256, set()) - {own}
        other_imports = imported.get(entry.sha256, set()) - {entry.pk}
        if others or other_imports:
            flags[entry.pk].append("same_file")
    return flags


def _invoice_label(code: str, number: str) -> str:
    return f"（发票代码 {code}，发票号码 {number}）" if code else f"（发票号码 {number}）"


def duplicates_for_application(application) -> list[str]:
    """Chinese messages about material of this application that also appears elsewhere:
    the same file (SHA-256) in another application or in the paper archive, and an
    invoice already used in another application."""
    messages = []
    attachments = list(application.attachments.order_by("pk"))
    digests = {a.sha256 for a in attachments if a.sha256}
    elsewhere: dict[str, list] = {}
    for other in (
        Attachment.objects.filter(sha256__in=digests)
        .exclude(application=application)
        .select_related("application")
        .order_by("application__reference", "pk")
    ):
        elsewhere.setdefault(other.sha256, []).append(other)
    paper: dict[str, list] = {}
    for entry in ArchiveEntry.objects.filter(sha256__in=digests, attachment__isnull=True).order_by(
        "pk"
    ):
        paper.setdefault(entry.sha256, []).append(entry)
    for attachment in attachments:
        for other in elsewhere.get(attachment.sha256, []):
            messages.append(
                f"材料「{attachment.original_name}」与申请 {other.application.reference} "
                f"中的「{other.original_name}」是同一文件（SHA-256 相同）。"
            )
        for entry in paper.get(attachment.sha256, []):
            messages.append(
                f"材料「{attachment.original_name}」与纸质档案中的「{entry.original_name}」"
                "是同一文件（SHA-256 相同）。"
            )

    keys = set(
        InvoiceLine.objects.filter(subsidy__application=application).values_list(
            "invoice_code", "invoice_number"
        )
    )
    for entry in ArchiveEntry.objects.filter(attachment__application=application):
        keys |= _invoice_keys(entry, [])
    uses = invoice_uses(number for _code, number in keys)
    for code, number in sorted(keys, key=lambda k: (k[1], k[0] or "")):
        references = sorted(
            {
                reference
                for other_code, application_id, reference in uses.get(number, [])
                if application_id != application.pk and _same_invoice(code or "", other_code)
            }
        )
        if references:
            messages.append(
                f"发票{_invoice_label(code or '', number)}已在申请 {'、'.join(references)} 中使用，"
                "请核实是否重复申报。"
            )
    return list(dict.fromkeys(messages))
