"""Realistic demo material, so the archive has something to show after `make run`.

Drawn with :mod:`cms.samples` (our own generators, also used by the tests and the
OCR benchmarks): each demo company's 营业执照 with its valid credit code (drawn for the
registrations and wherever a licence is due), an old-style 增值税电子普通发票 and a 数电票
with their QR codes, the old-style invoice again as a scan saved to a PDF without a
text layer, and an 电工进网作业许可证 filed in the paper archive.

Two 建设补贴 applications of the demo operator declare their invoices: the old-style
invoice appears in both (档案比对 flags it as reused; the second, a draft, cannot be
submitted while the first claims the invoice), and the 数电票's typed amount
differs from the one printed and in its QR code (the review page shows the mismatch
once the archive worker has read the scan). Nothing here runs OCR: files are stored
and queued, the worker started by `make run` reads them.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from catalogue.models import ApplicationKind
from cms import samples

from . import lines, workflow
from .models import Application, ConstructionSubsidy

LICENCE_CODES = ("business-licence", "entity-proof")


def _upload(img, name: str, fmt: str) -> SimpleUploadedFile:
    buf = io.BytesIO()
    if fmt == "pdf":  # a scan saved as PDF: one image per page, no text layer
        img.save(buf, "PDF", resolution=150.0)
        content_type = "application/pdf"
    elif fmt == "jpg":
        img.save(buf, "JPEG", quality=85)
        content_type = "image/jpeg"
    else:
        img.save(buf, "PNG")
        content_type = "image/png"
    return SimpleUploadedFile(f"{name}.{fmt}", buf.getvalue(), content_type=content_type)


def licence_upload(*, name: str, credit_code: str, representative: str, fmt: str = "png"):
    """A company's 营业执照: its name, credit code and legal representative."""
    img = samples.licence_image(
        credit_code,
        name=name,
        legal_representative=representative,
        registered_on=datetime.date(2020, 5, 18),
    )
    return _upload(img, "营业执照", fmt)


def realistic_file(requirement, application) -> SimpleUploadedFile | None:
    """A drawn document for the requirements the archive recognises (the applicant's
    licence, as a scanned PDF when PDF is accepted), else ``None``."""
    applicant = application.applicant
    if requirement.code in LICENCE_CODES and applicant.credit_code:
        fmt = "pdf" if "pdf" in requirement.format_list else requirement.format_list[0]
        upload = licence_upload(
            name=applicant.name,
            credit_code=applicant.credit_code,
            representative=applicant.contact_name or "王晓明",
            fmt=fmt,
        )
        upload.name = f"{requirement.name}.{fmt}"
        return upload
    return None


# --------------------------------------------------------------------------- invoices


def _invoices(applicant, year: int) -> tuple[dict, dict]:
    today = timezone.localdate()
    issued = min(datetime.date(year, 3, 15), today)
    old = {
        "invoice_code": "041002600111",
        "invoice_number": f"{year % 100:02d}031501",
        "issued_on": issued,
        "amount_excl_tax": Decimal("100000.00"),
        "amount": Decimal("113000.00"),
        "check_code": "41020260315000001234",
        "buyer_name": applicant.name,
        "buyer_code": applicant.credit_code,
        "seller_name": "信阳市示例电气设备有限公司",
    }
    digital = {
        "invoice_code": "",
        "invoice_number": f"{year % 100:02d}412000000012345678",
        "issued_on": min(datetime.date(year, 4, 1), today),
        "amount_excl_tax": Decimal("50000.00"),
        "amount": Decimal("56500.00"),
        "buyer_name": applicant.name,
        "buyer_code": applicant.credit_code,
        "seller_name": "信阳市示例电气设备有限公司",
    }
    return old, digital


def _line(invoice: dict, *, equipment: str, cost_name: str, typed_amount=None) -> dict:
    amount = typed_amount if typed_amount is not None else invoice["amount"]
    return {
        "equipment": equipment,
        "quantity": "1",
        # as the demo platform pushes them: one 120 kW DC and one 7 kW AC pile per station
        "power_kw": {"dc_pile": "120.0", "ac_pile": "7.0"}.get(equipment, ""),
        "cost_name": cost_name,
        "invoice_number": invoice["invoice_number"],
        "invoice_code": invoice["invoice_code"],
        "invoice_amount": f"{amount:.2f}",
        "used_amount": f"{amount:.2f}",
        "issued_on": invoice["issued_on"].isoformat(),
        "buyer_name": invoice["buyer_name"],
    }


def _subsidy(operator, station, title: str, invoice_lines, attach_due, year=None) -> Application:
    user = operator.user
    application = workflow.create_application(
        operator, ApplicationKind.CONSTRUCTION_SUBSIDY, user=user, title=title
    )
    ConstructionSubsidy.objects.create(
        application=application,
        station=station,
        subsidy_year=year or timezone.localdate().year,
    )
    for data, upload in invoice_lines:
        line, form = lines.add_invoice_line(
            application, data, upload, user=user, invoice_name=upload.name
        )
        if line is None:
            raise workflow.WorkflowError(f"演示发票明细有误：{form.errors.as_text()}")
    attach_due(application, user, seed=500 + application.pk)
    return application


def construction_subsidies(operator, station, attach_due) -> str:
    """Two 建设补贴 applications sharing one invoice, the first submitted; "" or a note."""
    if Application.objects.filter(
        applicant=operator, kind=ApplicationKind.CONSTRUCTION_SUBSIDY
    ).exists():
        return ""
    old, digital = _invoices(operator, timezone.localdate().year)
    old_png = _upload(samples.invoice_image(None, invoice=old), "直流充电桩发票", "png")
    digital_png = _upload(
        samples.digital_invoice_image(invoice=digital), "交流充电桩数电发票", "png"
    )
    # the same invoice again, scanned to a PDF without a text layer
    rescan = _upload(samples.invoice_image(None, invoice=old), "直流充电桩发票（扫描件）", "pdf")
    try:
        first = _subsidy(
            operator,
            station,
            f"{station.name}建设补贴",
            [
                (_line(old, equipment="dc_pile", cost_name="直流充电桩购置"), old_png),
                (
                    # typed 56 000, the 数电票 says 56 500: a mismatch for the reviewer
                    _line(
                        digital,
                        equipment="ac_pile",
                        cost_name="交流充电桩购置",
                        typed_amount=Decimal("56000.00"),
                    ),
                    digital_png,
                ),
            ],
            attach_due,
        )
        workflow.submit(first, user=operator.user)
        # The same invoice declared again (for the year before): 档案比对 flags the reuse,
        # and submitting is refused naming the first application, so it stays a draft.
        _subsidy(
            operator,
            station,
            f"{station.name}二期建设补贴",
            [(_line(old, equipment="dc_pile", cost_name="直流充电桩购置（二期）"), rescan)],
            attach_due,
            year=timezone.localdate().year - 1,
        )
    except workflow.WorkflowError as exc:
        return f"（建设补贴演示申请未能提交：{exc.message}）"
    return ""


# --------------------------------------------------------------------------- paper archive


def electrician_certificate(operator) -> None:
    """An 电工进网作业许可证 filed in the paper archive under the operator (queued for
    the worker; importing the same drawing again is skipped by its SHA-256)."""
    img = samples.certificate_image(
        number="41150220190456", holder="刘建军", valid_until=datetime.date(2028, 6, 30)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "电工进网作业许可证-刘建军.png"
        img.save(path, "PNG")
        call_command(
            "archive_import",
            str(path),
            kind="certificate",
            applicant=operator.credit_code,
            no_extract=True,
            stdout=io.StringIO(),
        )
