"""One template per document, rendered to HTML (the web view) or through WeasyPrint to a
PDF with the CJK font embedded (subset). Every document carries the reference, the
date, the issuing body and a QR code of the public progress page of the case.

The QR holds only the progress page's address with the reference: the page itself asks
for the last four digits of the mobile (or the credit code), so the code on a lost
sheet of paper discloses nothing about the applicant.
"""

import logging
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import ImageFile

from .kinds import DocumentKind, Issued

# WeasyPrint logs every layout step at INFO; only its warnings matter here.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_FAMILY = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", serif'


def progress_url(application) -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('progress')}?{urlencode({'ref': application.reference})}"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=2)


def document_context(kind: DocumentKind, application, issued: Issued) -> dict:
    issued_at = issued.issued_at or timezone.now()
    url = progress_url(application)
    return {
        "kind": kind,
        "issued": issued,
        "application": application,
        "reference": application.reference,
        "title": issued.title,
        "issuer": issued.issuer,
        "date": timezone.localtime(issued_at).date(),
        "progress_url": url,
        "qr": qr_data_uri(url),
        "font_family": FONT_FAMILY,
        **kind.context(application, issued),
    }


def render_html(kind: DocumentKind, application, issued: Issued, *, web=False) -> str:
    context = document_context(kind, application, issued)
    context["web"] = web
    return render_to_string(kind.template, context)


def load_weasyprint():
    """WeasyPrint's HTML class, imported on first use: pango is a system library
    (ops/pdf) and the rest of the site runs without it. Importing WeasyPrint turns on
    Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would let truncated
    uploads pass `applications.uploads`; it is switched back off here (our documents
    embed only the QR code we draw ourselves)."""
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML


def render_pdf(kind: DocumentKind, application, issued: Issued) -> bytes:
    html = render_html(kind, application, issued)
    return load_weasyprint()(string=html, base_url=settings.WAGTAILADMIN_BASE_URL).write_pdf()


def pdf_filename(application, issued: Issued) -> str:
    suffix = f"-{issued.department.name}" if issued.department is not None else ""
    return f"{application.reference}-{issued.title}{suffix}.pdf"
