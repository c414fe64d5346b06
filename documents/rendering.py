"""One template per document, rendered to HTML (the web view) or through WeasyPrint to a
PDF with the CJK font embedded (subset). Every document carries the reference, the
date, the issuing body and a QR code of the public progress page of the case.

The QR holds only the progress page's address with the reference: the page itself asks
for the last four digits of the mobile (or the credit code), so the code on a lost
sheet of paper discloses nothing about the applicant.

Speed: the fonts are our cut faces (documents/fonts.py) before the system's Noto CJK; one
FontConfiguration per process (`engine`, warmed by gunicorn's post_fork through `warm`);
the PDF of an HTML already printed comes from the cache (`pdf_for_html`).
"""

import atexit
import functools
import hashlib
import logging
import threading
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import ImageFile

from . import fonts
from .kinds import DocumentKind, Issued

# WeasyPrint logs every layout step at INFO; only its warnings matter here.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


QR_MASK = 0


def progress_url_base() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("progress")


def progress_url(application) -> str:
    return f"{progress_url_base()}?{urlencode({'ref': application.reference})}"


@functools.lru_cache(maxsize=1024)
def qr_data_uri(url: str) -> str:
    """The QR code as SVG (vector, no image to decode). One fixed mask pattern: any of the
    eight is valid QR; choosing the "best" one by scoring all eight cost more CPU than the
    rest of the HTML. Cached: every document of a case carries the same code."""
    return segno.make(url, error="m", micro=False, mask=QR_MASK).svg_data_uri(scale=3, border=2)


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
        "font_family": fonts.font_family(),
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


@functools.cache
def engine():
    """(HTML class, FontConfiguration, stylesheets), once per process: the fonts are
    looked up and opened by pango once, not for every document, and the @font-face rules
    of our cut faces (documents/fonts.py) are parsed once."""
    html_class = load_weasyprint()
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    faces = "".join(
        f'@font-face {{ font-family: "{face.family}"; src: url("{path.as_uri()}"); }}'
        for face, path in fonts.built_faces()
    )
    stylesheets = [CSS(string=faces, font_config=font_config)] if faces else []
    atexit.register(engine.cache_clear)  # let pango go while the modules still exist
    return html_class, font_config, stylesheets


# The shared FontConfiguration (pango's font map and caches) is not made for two threads
# at once (runserver's threads, a threaded worker): one PDF at a time per process.
_engine_lock = threading.Lock()


def write_pdf(html: str) -> bytes:
    with _engine_lock:
        html_class, font_config, stylesheets = engine()
        document = html_class(string=html, base_url=settings.WAGTAILADMIN_BASE_URL)
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


CACHE_PREFIX = "documents:pdf:"
# A day: re-downloads come soon after issue (the applicant, the window's print-out), and
# the PDFs carry names and phone numbers, which should not sit in the cache for long.
CACHE_SECONDS = 24 * 3600


@functools.cache
def engine_fingerprint() -> str:
    """What besides the HTML decides the PDF's bytes: WeasyPrint's version and the font
    files (digests of our cut faces, name and size of the system fallbacks)."""
    import weasyprint

    return f"{weasyprint.__version__}|{fonts.fingerprint()}"


def cache_key(html: str) -> str:
    digest = hashlib.sha256(f"{engine_fingerprint()}\n{html}".encode()).hexdigest()
    return CACHE_PREFIX + digest


def pdf_for_html(html: str) -> bytes:
    """The PDF of this HTML, from the cache when the same HTML was printed before. The key
    is a digest of the whole HTML (every fact, the date, the QR), so a changed fact is a
    new key and can never be answered with an older PDF."""
    key = cache_key(html)
    data = cache.get(key)
    if data is None:
        data = write_pdf(html)
        cache.set(key, data, CACHE_SECONDS)
    return data


def render_pdf(kind: DocumentKind, application, issued: Issued) -> bytes:
    return pdf_for_html(render_html(kind, application, issued))


def warm() -> None:
    """Import WeasyPrint, open the fonts and lay out one line of each face, build Django's
    URL resolver and segno's tables, so the first document a worker prints costs what the
    later ones do (gunicorn's post_fork)."""
    sample = "申请编号 SQ202601010001 ☑ 浉河区"
    qr_data_uri(f"{progress_url_base()}?ref=SQ202601010001")
    write_pdf(f"<p style='font-family: {fonts.font_family()}'>{sample}</p>")


def pdf_filename(application, issued: Issued) -> str:
    suffix = f"-{issued.department.name}" if issued.department is not None else ""
    return f"{application.reference}-{issued.title}{suffix}.pdf"
