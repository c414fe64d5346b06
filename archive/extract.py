"""Full text of archived materials, for retrieval by what is written in them.

:func:`extract` reads a stored material (JPG, PNG or PDF) and returns everything
legible in it as an :class:`Extracted`:

* PDF pages with a text layer give their text directly (fast, exact);
* pages without one (scans saved as PDF) and images are read by OCR (``rapidocr`` with
  the PP-OCRv6 small Chinese models bundled in its wheel, loaded by path so it never
  downloads anything; onnxruntime on the CPU);
* QR codes are decoded with zxing-cpp: on images, and on the first
  :data:`QR_PAGES` pages of a PDF (Chinese e-invoices carry their key data in one).

OCR is slow (a few seconds per page on two cores), so a PDF is read up to
:data:`MAX_PAGES` pages and large images are scaled down to :data:`MAX_SIDE` pixels
on their longest side first. The OCR engine is created once per process, on first
use, and used under a lock.

A file that cannot be read raises :class:`ExtractionError` with a Chinese message; the
caller (a background worker) records it and may retry. Formats that carry no
readable content for this module (OFD, Office files, ...) give an empty result with
``method == "none"``.

This module does not use Django; the heavy libraries (pypdfium2, the OCR engine,
numpy, zxing-cpp) are imported on first use so that :func:`normalise_text` is cheap
to import (tests/test_architecture.py LAZY_LIBRARIES).
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import time
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from PIL import Image, ImageDraw, ImageOps

from catalogue.formats import FORMAT_ALIASES
from cms.pdfium import PDFIUM_LOCK

logger = logging.getLogger(__name__)

MAX_PAGES = 50  # PDF pages read at most
QR_PAGES = 3  # PDF pages scanned for QR codes
MAX_SIDE = 2000  # longest side, in pixels, of an image handed to OCR
RENDER_DPI = 200  # PDF pages are rendered at this resolution (then capped at MAX_SIDE)
MIN_TEXT_CHARS = 10  # a page with fewer non-space characters in its text layer is OCR'd
MAX_IMAGE_PIXELS = 80_000_000  # larger images are refused as unreadable (decompression bombs)

METHOD_TEXT = "text-layer"
METHOD_OCR = "ocr"
METHOD_MIXED = "mixed"
METHOD_NONE = "none"

SUPPORTED_FORMATS = ("jpg", "png", "pdf")


class ExtractionError(Exception):
    """The file could not be read; ``message`` is Chinese text for reviewers' logs."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class Extracted:
    """Everything legible in one file."""

    text: str
    pages: int  # pages in the file (1 for an image)
    ocr_pages: int  # pages (or images) that went through OCR
    qr_payloads: list[str]  # decoded QR codes, in order found, without duplicates
    method: str  # "text-layer" | "ocr" | "mixed" | "none"
    truncated: bool = False  # True when only the first MAX_PAGES pages were read
    notes: list[str] = field(default_factory=list)  # Chinese remarks (truncation, ...)
    seconds: float = 0.0  # wall time spent

    @property
    def pages_read(self) -> int:
        return min(self.pages, MAX_PAGES)


# --------------------------------------------------------------------------- text


_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{2,}")
# Variants NFKC leaves alone but that stand for the same mark in printed forms.
_PUNCTUATION = str.maketrans(
    {
        "∶": ":",  # RATIO, common in scanned forms
        "︰": ":",
        "—": "-",
        "–": "-",
        "―": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "〜": "~",
        "〔": "(",
        "〕": ")",
        "【": "[",
        "】": "]",
        "\u3000": " ",
        "\u00a0": " ",
        "\u200b": "",
        "\ufeff": "",
    }
)


def normalise_text(s: str) -> str:
    """Text in the form the field recognisers and the search index expect.

    NFKC (full-width letters, digits and ASCII punctuation become half-width, so
    ``：`` → ``:``, ``（）`` → ``()``, ``￥`` → ``¥``), a few more dash/colon variants
    unified, runs of spaces and tabs collapsed to one space, line ends kept (``\\r\\n``
    → ``\\n``, blank lines collapsed), each line stripped. Chinese characters and
    Chinese punctuation without a half-width twin (、。《》) are kept as they are.
    """
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s).translate(_PUNCTUATION)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    s = _HSPACE.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    s = _BLANK_LINES.sub("\n", s)
    return s.strip()


def _meaningful_chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C")


# --------------------------------------------------------------------------- OCR engine

_OCR_LOCK = threading.Lock()
_ocr_engine: Any = None

# The models bundled in the rapidocr wheel (PP-OCRv6 small detection and recognition,
# PP-OCR v2 direction classifier). Naming their files makes RapidOCR load them directly:
# it only downloads when it has to look a model up by name, and it never does here.
BUNDLED_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


def engine_params() -> dict[str, Any]:
    """RapidOCR parameters: quiet logging and the bundled model files, by path.

    Raises :class:`ExtractionError` when a bundled model file is missing (a broken
    installation), rather than letting the engine fetch one from the network."""
    import rapidocr

    models = os.path.join(os.path.dirname(rapidocr.__file__), "models")
    params: dict[str, Any] = {"Global.log_level": "error"}
    for key, filename in BUNDLED_MODELS.items():
        path = os.path.join(models, filename)
        if not os.path.isfile(path):
            logger.error("OCR model missing: %s", path)
            raise ExtractionError("文字识别模型缺失，请联系管理员重新安装识别组件。")
        params[key] = path
    return params


def _engine() -> Any:
    """The process-wide RapidOCR instance (caller holds ``_OCR_LOCK``)."""
    global _ocr_engine
    if _ocr_engine is None:
        started = time.monotonic()
        from rapidocr import RapidOCR

        _ocr_engine = RapidOCR(params=engine_params())
        logger.info("OCR engine loaded in %.1f s", time.monotonic() - started)
    return _ocr_engine


def warm_up() -> None:
    """Load the OCR models now and read one small drawn line, so the first real file
    does not pay for it (RapidOCR loads its sessions lazily)."""
    img = Image.new("RGB", (320, 64), (255, 255, 255))
    ImageDraw.Draw(img).text((10, 20), "2026 OCR", fill=(0, 0, 0))
    ocr_image(img)


def _box_geometry(box: Any) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in box]
    ys = [float(p[1]) for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def _join_lines(results: Iterable[tuple[Any, str]]) -> str:
    """OCR boxes as text in reading order: top to bottom, then left to right; boxes on
    the same line are joined with a space. Vertical labels (such as the 购买方 column
    of an invoice) stay lines of their own, placed at their top."""
    items = []
    for box, text in results:
        text = str(text).strip()
        if not text:
            continue
        left, top, right, bottom = _box_geometry(box)
        height = max(bottom - top, 1.0)
        width = max(right - left, 1.0)
        vertical = len(text) >= 2 and height > 2 * width
        items.append(
            {
                "text": text,
                "left": left,
                "cy": top + height / 2,
                "top": top,
                "h": height,
                "vertical": vertical,
            }
        )
    items.sort(key=lambda it: (it["top"] if it["vertical"] else it["cy"], it["left"]))

    lines: list[dict[str, Any]] = []
    for it in items:
        current = lines[-1] if lines else None
        if (
            current is not None
            and not it["vertical"]
            and not current["vertical"]
            and abs(it["cy"] - current["cy"]) < 0.5 * min(it["h"], current["h"])
        ):
            current["items"].append(it)
            n = len(current["items"])
            current["cy"] += (it["cy"] - current["cy"]) / n
            current["h"] = max(current["h"], it["h"])
        else:
            lines.append({"cy": it["cy"], "h": it["h"], "vertical": it["vertical"], "items": [it]})
    return "\n".join(
        " ".join(it["text"] for it in sorted(line["items"], key=lambda it: it["left"]))
        for line in lines
    )


def ocr_image(img: Any) -> str:
    """Text of a PIL image by OCR (scaled down to MAX_SIDE first)."""
    import numpy as np

    img = _downscale(_rgb(img), MAX_SIDE)
    array = np.asarray(img)
    with _OCR_LOCK:
        engine = _engine()
        try:
            output = engine(array)
        except Exception as exc:  # onnxruntime / OpenCV failures on odd images
            logger.warning("OCR failed: %s", exc)
            raise ExtractionError("文字识别失败，图片内容无法处理，请稍后重试。") from exc
    return _join_lines(_boxes_and_texts(output))


def _boxes_and_texts(output: Any) -> list[tuple[Any, str]]:
    """(box, text) pairs of a ``RapidOCROutput``; none on a blank image (``.txts`` and
    ``.boxes`` are then ``None``)."""
    boxes = getattr(output, "boxes", None)
    texts = getattr(output, "txts", None)
    if boxes is None or texts is None:
        return []
    return list(zip(boxes, texts, strict=False))


# --------------------------------------------------------------------------- images


def _rgb(img: Any) -> Any:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img if img.mode == "RGB" else img.convert("RGB")


def _downscale(img: Any, max_side: int) -> Any:
    longest = max(img.size)
    if longest <= max_side:
        return img
    ratio = max_side / longest
    size = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
    return img.resize(size, Image.Resampling.LANCZOS)


def read_qr_codes(img: Any) -> list[str]:
    """Payloads of the QR codes in a PIL image (empty when none or on failure)."""
    import zxingcpp

    try:
        barcodes = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    except Exception as exc:  # a QR failure must not cost the text
        logger.warning("QR scan failed: %s", exc)
        return []
    return [b.text for b in barcodes if b.valid and b.text]


def _open_image(data: bytes) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise ExtractionError(
                    f"图片尺寸过大（{img.width}×{img.height} 像素），无法识别，请压缩后重新上传。"
                )
            if img.format in ("JPEG", "MPO"):
                # let libjpeg decode at reduced scale; QR codes survive 2× MAX_SIDE
                img.draft("RGB", (2 * MAX_SIDE, 2 * MAX_SIDE))
            img.load()
        except ExtractionError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ExtractionError("图片尺寸过大，无法识别，请压缩后重新上传。") from exc
        except Exception as exc:
            raise ExtractionError("图片文件已损坏或格式不正确，无法读取其中的文字。") from exc
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # broken EXIF must not cost the text
        pass
    return _rgb(img)


def _extract_image(data: bytes) -> Extracted:
    img = _open_image(data)
    qr = read_qr_codes(_downscale(img, 2 * MAX_SIDE))
    small = _downscale(img, MAX_SIDE)
    if not qr and small is not img:
        qr = read_qr_codes(small)
    text = ocr_image(small)
    return Extracted(text=text, pages=1, ocr_pages=1, qr_payloads=_unique(qr), method=METHOD_OCR)


# --------------------------------------------------------------------------- PDF


def _render(page: Any) -> Any:
    width, height = page.get_size()  # points
    scale = RENDER_DPI / 72
    longest = max(width, height, 1.0) * scale
    if longest > MAX_SIDE:
        scale *= MAX_SIDE / longest
    bitmap = page.render(scale=scale)
    try:
        img = bitmap.to_pil()
        img.load()
        return _rgb(img.copy())  # detach from PDFium's buffer
    finally:
        bitmap.close()


def _read_page(pdf: Any, index: int, *, render_for_qr: bool) -> tuple[str, Any, bool]:
    """(text layer, rendered image or None, needs OCR) of one page; caller holds the
    PDFium lock."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            layer = textpage.get_text_range()
        finally:
            textpage.close()
        needs_ocr = _meaningful_chars(layer) < MIN_TEXT_CHARS
        image = _render(page) if (needs_ocr or render_for_qr) else None
    finally:
        page.close()
    return layer, image, needs_ocr


def _extract_pdf(data: bytes | str) -> Extracted:
    """Text of a PDF given as bytes or as a path (PDFium then reads it lazily)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    lock = PDFIUM_LOCK
    with lock:
        try:
            pdf = pdfium.PdfDocument(data)
            total = len(pdf)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) in (
                pdfium_c.FPDF_ERR_PASSWORD,
                pdfium_c.FPDF_ERR_SECURITY,
            ):
                raise ExtractionError("PDF 文件设有密码，无法读取其中的文字。") from exc
            raise ExtractionError("PDF 文件已损坏或格式不正确，无法读取其中的文字。") from exc
        except MemoryError:
            raise
        except Exception as exc:
            raise ExtractionError("PDF 文件已损坏或格式不正确，无法读取其中的文字。") from exc

    read = min(total, MAX_PAGES)
    texts: list[str] = []
    qr: list[str] = []
    notes: list[str] = []
    ocr_pages = 0
    broken = 0
    try:
        for index in range(read):
            render_for_qr = index < QR_PAGES
            with lock:
                try:
                    layer, image, needs_ocr = _read_page(pdf, index, render_for_qr=render_for_qr)
                except MemoryError:
                    raise
                except Exception as exc:  # one damaged page must not cost the others
                    logger.info("PDF page %d unreadable: %r", index + 1, exc)
                    broken += 1
                    notes.append(f"第 {index + 1} 页已损坏，无法读取，已跳过。")
                    continue
            if image is not None and render_for_qr:
                qr.extend(read_qr_codes(image))
            if needs_ocr:
                layer = ocr_image(image)
                ocr_pages += 1
            texts.append(layer.replace("\r\n", "\n").replace("\r", "\n").strip())
    finally:
        with lock:
            pdf.close()

    if read and broken == read:
        raise ExtractionError("PDF 文件的页面均已损坏，无法读取其中的文字。")
    good = read - broken
    if good == 0:
        method = METHOD_NONE
    elif ocr_pages == 0:
        method = METHOD_TEXT
    elif ocr_pages == good:
        method = METHOD_OCR
    else:
        method = METHOD_MIXED
    if total > MAX_PAGES:
        notes.append(f"文件共 {total} 页，仅读取了前 {MAX_PAGES} 页的文字。")
    return Extracted(
        text="\n\n".join(t for t in texts if t),
        pages=total,
        ocr_pages=ocr_pages,
        qr_payloads=_unique(qr),
        method=method,
        truncated=total > MAX_PAGES,
        notes=notes,
    )


# --------------------------------------------------------------------------- entry point


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _read_all(source: str | os.PathLike[str] | bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise ExtractionError("找不到文件或无法打开文件，无法读取其中的文字。") from exc
    try:
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        data = source.read()
    except OSError as exc:
        raise ExtractionError("读取文件时出错，请稍后重试。") from exc
    if isinstance(data, str):
        raise ExtractionError("文件应以二进制方式打开，无法读取其中的文字。")
    return bytes(data)


def extract(fileobj_or_path: str | os.PathLike[str] | bytes | IO[bytes], fmt: str) -> Extracted:
    """Everything legible in a JPG, PNG or PDF file.

    ``fileobj_or_path`` is a path, the file's bytes, or a binary file object (read from
    its start). ``fmt`` is the canonical format token recorded at upload ("jpg", "png",
    "pdf"; "jpeg" is accepted); any other format gives an empty result with method
    ``"none"``. Raises :class:`ExtractionError` when the file cannot be read.
    """
    token = (fmt or "").strip().lstrip(".").lower()
    token = FORMAT_ALIASES.get(token, token)
    if token not in SUPPORTED_FORMATS:
        return Extracted(text="", pages=0, ocr_pages=0, qr_payloads=[], method=METHOD_NONE)
    started = time.monotonic()
    if token == "pdf" and isinstance(fileobj_or_path, str | os.PathLike):
        # PDFium reads the pages it needs from the file: a 200 MB PDF is not loaded.
        try:
            empty = os.path.getsize(fileobj_or_path) == 0
        except OSError as exc:
            raise ExtractionError("找不到文件或无法打开文件，无法读取其中的文字。") from exc
        if empty:
            raise ExtractionError("文件为空，无法读取其中的文字。")
        result = _extract_pdf(os.fspath(fileobj_or_path))
    else:
        data = _read_all(fileobj_or_path)
        if not data:
            raise ExtractionError("文件为空，无法读取其中的文字。")
        result = _extract_pdf(data) if token == "pdf" else _extract_image(data)
    result.seconds = time.monotonic() - started
    return result
