"""Checks every uploaded material goes through before anything is stored.

The web form, the HTTP API and the management commands all call
:func:`inspect_upload` first. It decides what a file *is* from its bytes (never from
its name), enforces the size limit, proves images and PDFs actually open, and computes
the SHA-256 while streaming, so a large upload is never held in memory at once.

Every refusal is an :class:`UploadRejected` whose message is Simplified Chinese text
that tells the applicant what to fix; it can be shown to them as is.

Settings (all optional, read with ``getattr``):

* ``PORTAL_MAX_UPLOAD_MB`` -- size limit in MiB, default 50.
* ``PORTAL_MAX_IMAGE_PIXELS`` -- largest accepted image (width × height), default 50 000 000.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageOps

from catalogue.formats import FORMAT_ALIASES, FORMAT_LABELS, describe_formats, normalise_formats
from cms.pdfium import PDFIUM_LOCK

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024  # bytes read at a time while hashing
MIB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
PDF_HEADER_WINDOW = 1024  # "%PDF-" must start within this many bytes
SNIFF_BYTES = 8192  # how much of the head is kept for recognising the format

UNNAMED = "未命名文件"

CONTENT_TYPES: dict[str, str] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# Formats that are recognised (so the message can say what the file really is) but
# that no material requirement accepts.
_OTHER_LABELS: dict[str, str] = {
    "gif": "GIF 图片",
    "bmp": "BMP 图片",
    "webp": "WebP 图片",
    "tiff": "TIFF 图片",
    "heic": "HEIC 图片（苹果手机照片）",
    "zip": "ZIP 压缩包",
    "rar": "RAR 压缩包",
    "7z": "7z 压缩包",
    "gzip": "GZ 压缩包",
    "ole": "旧版 Office 文档（doc/xls）",
    "rtf": "RTF 文档",
}

# Leading bytes of programs and scripts: refused whatever they are named, and before
# any other signature is looked for (so an executable with "%PDF-" planted in its
# first kilobyte is still refused).
_EXECUTABLE_SIGNATURES: tuple[bytes, ...] = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # shell scripts
    b"\x00asm",  # WebAssembly
    b"dex\n",  # Android
)

_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
)

_ZIP_FORMATS = frozenset({"ofd", "xlsx", "docx"})
_IMAGE_FORMATS = {"jpg": ("JPEG", "MPO"), "png": ("PNG",)}  # MPO: multi-picture camera JPEGs
_WINDOWS_ILLEGAL = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_SAFE_PREFIX = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")

# PDFium is not thread-safe; serialise every call into it within this process.


class UploadRejected(ValueError):
    """An upload that must not be stored; ``message`` is Chinese text for the applicant."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Inspection:
    """What :func:`inspect_upload` found out about an accepted file."""

    format: str  # canonical token: "jpg" | "png" | "pdf" | "ofd" | "xlsx" | "docx"
    content_type: str  # "image/jpeg" ...
    size: int  # bytes
    sha256: str  # hex digest
    width: int | None = None  # images only, in stored pixels (before EXIF rotation)
    height: int | None = None
    pages: int | None = None  # PDFs only


# --------------------------------------------------------------------------- formats


# --------------------------------------------------------------------------- settings


def max_upload_bytes() -> int:
    """The configured size limit in bytes (``settings.PORTAL_MAX_UPLOAD_MB``, default 50)."""
    mb = getattr(settings, "PORTAL_MAX_UPLOAD_MB", None) or DEFAULT_MAX_UPLOAD_MB
    return int(float(mb) * MIB)


def max_image_pixels() -> int:
    """The configured pixel limit (``settings.PORTAL_MAX_IMAGE_PIXELS``, default 50 MP)."""
    value = getattr(settings, "PORTAL_MAX_IMAGE_PIXELS", None) or DEFAULT_MAX_IMAGE_PIXELS
    return int(value)


# --------------------------------------------------------------------------- streaming


def _rewind(fileobj: IO[bytes]) -> None:
    try:
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - unseekable input
        pass


def _stream_length(fileobj: IO[bytes]) -> int | None:
    """Length of the stream without reading it, or ``None`` if it cannot be told."""
    try:
        fileobj.seek(0, io.SEEK_END)
        length = fileobj.tell()
        fileobj.seek(0)
        return int(length)
    except (AttributeError, OSError, ValueError, TypeError):
        size = getattr(fileobj, "size", None)
        return size if isinstance(size, int) else None


def _iter_chunks(fileobj: IO[bytes], chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Read from the start in ``chunk_size`` pieces (works for Django UploadedFile too)."""
    _rewind(fileobj)
    while True:
        chunk = fileobj.read(chunk_size)
        if not chunk:
            return
        if isinstance(chunk, str):  # a text-mode file; refuse rather than guess an encoding
            raise TypeError("upload checks need a binary file object")
        yield chunk


def sha256_of(fileobj: IO[bytes]) -> str:
    """Hex SHA-256 of the whole stream, read in 1 MiB chunks; rewinds to 0 afterwards."""
    digest = hashlib.sha256()
    try:
        for chunk in _iter_chunks(fileobj):
            digest.update(chunk)
    finally:
        _rewind(fileobj)
    return digest.hexdigest()


class _ReadIntoAdapter(io.RawIOBase):
    """Gives PDFium the seek/tell/read/readinto stream it expects over any file object
    with read and seek (Django's File proxies do not always offer ``readinto``)."""

    def __init__(self, fileobj: IO[bytes]):
        super().__init__()
        self._f = fileobj

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        result = self._f.seek(offset, whence)
        return self._f.tell() if result is None else result

    def tell(self) -> int:
        return self._f.tell()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        total = 0
        while total < len(view):
            data = self._f.read(min(len(view) - total, CHUNK_SIZE))
            if not data:
                break
            view[total : total + len(data)] = data
            total += len(data)
        return total

    def close(self) -> None:  # never close the caller's file
        pass


# --------------------------------------------------------------------------- messages


def _format_mb(n: int, *, above: int | None = None) -> str:
    """Size in MB for messages: one decimal, more only when needed to be non-zero (and,
    with ``above``, visibly larger than that limit); "50.0" is shown as "50"."""
    text = f"{n / MIB:.6f}"
    for decimals in range(1, 7):
        candidate = f"{n / MIB:.{decimals}f}"
        if float(candidate) == 0:
            continue
        if above is not None and float(candidate) <= above / MIB:
            continue
        text = candidate
        break
    return text.rstrip("0").rstrip(".") if "." in text else text


def _format_pixels(pixels: int) -> str:
    if pixels >= 10_000:
        return f"{pixels / 10_000:g} 万像素"
    return f"{pixels} 像素"


def _real_type_label(token: str) -> str:
    return FORMAT_LABELS.get(token) or _OTHER_LABELS.get(token, token)


def _msg_empty(name: str) -> str:
    return f"文件“{name}”是空文件，请重新选择。"


def _msg_too_big(name: str, size: int, limit: int) -> str:
    return (
        f"文件“{name}”大小为 {_format_mb(size, above=limit)} MB，"
        f"超过上限 {_format_mb(limit)} MB，请压缩或拆分后再上传。"
    )


def _msg_wrong_type(name: str, real: str, allowed: list[str]) -> str:
    wanted = describe_formats(allowed)
    return (
        f"文件“{name}”的实际内容是 {_real_type_label(real)}，"
        f"与此项要求的格式（{wanted}）不符，请上传 {wanted} 文件。"
    )


def _msg_unknown(name: str, allowed: list[str]) -> str:
    return (
        f"文件“{name}”不是可识别的 {describe_formats(allowed)} 文件"
        "（可能是可执行程序或已损坏），请重新导出后上传。"
    )


def _msg_broken(name: str, fmt: str) -> str:
    noun = {"jpg": "图片", "png": "图片", "pdf": "PDF"}.get(fmt, "文件")
    return f"{noun}“{name}”已损坏或不完整，无法打开，请重新扫描或导出后上传。"


def _msg_bomb(name: str, width: int, height: int, limit: int) -> str:
    return (
        f"图片“{name}”像素过大（{width}×{height}），可能是异常文件，"
        f"请缩小到 {_format_pixels(limit)}以内后上传。"
    )


def _msg_encrypted(name: str) -> str:
    return f"PDF“{name}”设置了打开密码，请去除密码后上传。"


# --------------------------------------------------------------------------- sniffing


def _sniff(head: bytes, fileobj: IO[bytes]) -> str | None:
    """Format token from the leading bytes; "exe" for programs, ``None`` if unknown."""
    if head.startswith(_EXECUTABLE_SIGNATURES):
        return "exe"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(fileobj)
    if 0 <= head.find(b"%PDF-", 0, PDF_HEADER_WINDOW + 4) < PDF_HEADER_WINDOW:
        return "pdf"  # "%PDF-" starts within the first kilobyte
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "heic"
    for signature, token in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return token
    return None


def _sniff_zip(fileobj: IO[bytes]) -> str | None:
    """ofd / xlsx / docx / zip from the archive's central directory (nothing is
    decompressed, so a zip bomb costs nothing here); ``None`` if it is not a zip."""
    try:
        _rewind(fileobj)
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return None
    finally:
        _rewind(fileobj)
    lowered = {n.lower() for n in names}
    if "ofd.xml" in lowered:
        return "ofd"
    if "[content_types].xml" in lowered:
        if any(n.startswith("xl/") for n in lowered):
            return "xlsx"
        if any(n.startswith("word/") for n in lowered):
            return "docx"
    return "zip"


# --------------------------------------------------------------------------- verifying


def _open_image(fileobj: IO[bytes], fmt: str) -> Image.Image:
    _rewind(fileobj)
    return Image.open(fileobj, formats=["JPEG", "PNG"] if fmt in _IMAGE_FORMATS else None)


def _check_image(fileobj: IO[bytes], name: str, fmt: str) -> tuple[int, int]:
    """Open, verify and fully decode the image; returns (width, height)."""
    limit = max_image_pixels()
    with warnings.catch_warnings():
        # Pillow's own guard: its warning is treated as a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open_image(fileobj, fmt) as img:
                width, height = img.size
                if img.format not in _IMAGE_FORMATS[fmt]:
                    raise UploadRejected(_msg_broken(name, fmt))
                if width * height > limit:
                    raise UploadRejected(_msg_bomb(name, width, height, limit))
                img.verify()
            with _open_image(fileobj, fmt) as img:
                if img.format in ("JPEG", "MPO"):
                    # libjpeg still reads every byte of entropy data at 1/8 scale, so
                    # truncation is caught at a fraction of the memory.
                    img.draft(img.mode, (max(width // 8, 1), max(height // 8, 1)))
                img.load()  # verify() does not decode; this catches truncated data
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            width, height = _header_size(fileobj, fmt)
            raise UploadRejected(_msg_bomb(name, width, height, limit)) from None
        except MemoryError:
            raise
        except Exception as exc:  # Pillow raises many types on hostile input
            logger.info("image %r refused as broken: %r", name, exc)
            raise UploadRejected(_msg_broken(name, fmt)) from None
        finally:
            _rewind(fileobj)
    if width < 1 or height < 1:
        raise UploadRejected(_msg_broken(name, fmt))
    return width, height


def _header_size(fileobj: IO[bytes], fmt: str) -> tuple[int, int]:
    """Dimensions from the header alone, for the message when Pillow refused to open."""
    _rewind(fileobj)
    head = fileobj.read(64 * 1024)
    if fmt == "png" and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if fmt == "jpg":
        i = 2
        while i + 9 <= len(head):  # reads up to head[i + 8]
            if head[i] != 0xFF:
                break
            marker = head[i + 1]
            if marker == 0xFF:  # fill byte
                i += 1
                continue
            length = int.from_bytes(head[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return (
                    int.from_bytes(head[i + 7 : i + 9], "big"),
                    int.from_bytes(head[i + 5 : i + 7], "big"),
                )
            i += 2 + length
    return 0, 0


def _check_pdf(fileobj: IO[bytes], name: str) -> int:
    """Open the PDF with PDFium straight from the stream; returns the page count."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        with PDFIUM_LOCK:
            _rewind(fileobj)
            pdf = pdfium.PdfDocument(_ReadIntoAdapter(fileobj))
            try:
                pages = len(pdf)
                if pages >= 1:
                    pdf[0].close()  # the page tree really leads to a page
            finally:
                pdf.close()
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in (
            pdfium_c.FPDF_ERR_PASSWORD,
            pdfium_c.FPDF_ERR_SECURITY,
        ):
            raise UploadRejected(_msg_encrypted(name)) from None
        logger.info("PDF %r refused as broken: %s", name, exc)
        raise UploadRejected(_msg_broken(name, "pdf")) from None
    except MemoryError:
        raise
    except Exception as exc:
        logger.info("PDF %r refused as broken: %r", name, exc)
        raise UploadRejected(_msg_broken(name, "pdf")) from None
    finally:
        _rewind(fileobj)
    if pages < 1:
        raise UploadRejected(_msg_broken(name, "pdf"))
    return pages


# --------------------------------------------------------------------------- inspect


def inspect_upload(
    fileobj: IO[bytes],
    *,
    name: str,
    formats: Iterable[str] | str,
    max_bytes: int | None = None,
) -> Inspection:
    """Check an upload against the formats one material requirement accepts.

    ``fileobj`` is anything with ``read(n)`` and ``seek`` (Django ``UploadedFile``,
    ``TemporaryUploadedFile``, an open file, ``BytesIO``); it is read in 1 MiB chunks
    and rewound to 0 before returning or raising. ``name`` is only used in messages.
    ``max_bytes`` overrides ``settings.PORTAL_MAX_UPLOAD_MB``.

    Raises :class:`UploadRejected` (Chinese message) for anything that must not be
    stored, and ``ValueError`` for an empty or unknown ``formats`` (a code/config bug).
    """
    allowed = normalise_formats(formats)
    if not allowed:
        raise ValueError("inspect_upload needs at least one accepted format")
    limit = max_upload_bytes() if max_bytes is None else int(max_bytes)
    shown = display_name(name)

    try:
        # Refuse an oversize file before spending time hashing it.
        length = _stream_length(fileobj)
        if length is not None and length > limit:
            raise UploadRejected(_msg_too_big(shown, length, limit))

        digest = hashlib.sha256()
        size = 0
        head = b""
        for chunk in _iter_chunks(fileobj):
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            size += len(chunk)
            if size > limit:  # the stream was longer than it claimed
                raise UploadRejected(_msg_too_big(shown, size, limit))
            digest.update(chunk)
        if size == 0:
            raise UploadRejected(_msg_empty(shown))

        real = _sniff(head, fileobj)
        if real is None or real == "exe":
            raise UploadRejected(_msg_unknown(shown, allowed))
        if real not in allowed:
            raise UploadRejected(_msg_wrong_type(shown, real, allowed))

        width = height = pages = None
        if real in _IMAGE_FORMATS:
            width, height = _check_image(fileobj, shown, real)
        elif real == "pdf":
            pages = _check_pdf(fileobj, shown)

        return Inspection(
            format=real,
            content_type=CONTENT_TYPES[real],
            size=size,
            sha256=digest.hexdigest(),
            width=width,
            height=height,
            pages=pages,
        )
    finally:
        _rewind(fileobj)


# --------------------------------------------------------------------------- previews


def make_preview(fileobj: IO[bytes], fmt: str, *, max_side: int = 1000) -> bytes | None:
    """A JPEG preview whose longer side is at most ``max_side`` pixels.

    Images are EXIF-rotated, flattened onto white and converted to RGB; a PDF's first
    page is rendered with PDFium. Other formats, and files that cannot be rendered
    (run :func:`inspect_upload` first), give ``None``. Rewinds ``fileobj`` afterwards.
    """
    token = FORMAT_ALIASES.get(str(fmt).lower(), str(fmt).lower())
    try:
        if token in _IMAGE_FORMATS:
            img = _preview_image(fileobj, token, max_side)
        elif token == "pdf":
            img = _preview_pdf(fileobj, max_side)
        else:
            return None
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()
    except MemoryError:
        raise
    except Exception as exc:
        logger.warning("no preview for %s file: %r", token, exc)
        return None
    finally:
        _rewind(fileobj)


def _flatten_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _preview_image(fileobj: IO[bytes], fmt: str, max_side: int) -> Image.Image:
    limit = max_image_pixels()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with _open_image(fileobj, fmt) as img:
            if img.width * img.height > limit:
                raise ValueError("image exceeds the pixel limit")
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", (max_side, max_side))  # let libjpeg decode at reduced scale
            img.load()
            try:
                rotated = ImageOps.exif_transpose(img)
            except Exception:  # broken EXIF must not cost the preview
                rotated = img.copy()
            return _flatten_rgb(rotated)


def _preview_pdf(fileobj: IO[bytes], max_side: int) -> Image.Image:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        _rewind(fileobj)
        pdf = pdfium.PdfDocument(_ReadIntoAdapter(fileobj))
        try:
            page = pdf[0]
            try:
                width, height = page.get_size()  # PDF points
                scale = max_side / max(width, height, 1.0)
                bitmap = page.render(scale=scale)
                img = bitmap.to_pil()
                img.load()
                img = img.copy()  # detach from PDFium's buffer before closing
                bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()
    return _flatten_rgb(img)


# --------------------------------------------------------------------------- names


def display_name(original: str, max_length: int = 120) -> str:
    """A file name safe to show and to offer as a download name.

    Keeps Chinese (NFC-normalised), drops any directory part (``/`` or ``\\``), control
    and format characters and those Windows forbids; truncates to ``max_length``
    characters keeping the extension. Never empty: falls back to "未命名文件".
    """
    text = unicodedata.normalize("NFC", str(original or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = _WINDOWS_ILLEGAL.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if not text:
        return UNNAMED

    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10 or " " in ext:
        stem, ext = text, ""
    stem = stem.rstrip(" .")
    if stem.upper() in _WINDOWS_RESERVED:
        stem += "_"

    max_length = max(int(max_length), 1)
    suffix = f".{ext}" if ext else ""
    if len(stem) + len(suffix) > max_length:
        if len(suffix) < max_length:
            stem = stem[: max_length - len(suffix)].rstrip(" .")
        else:
            stem, suffix = stem[:max_length], ""
    result = f"{stem}{suffix}" if stem else suffix.lstrip(".")
    return result or UNNAMED


def storage_key(prefix: str, fmt: str) -> str:
    """``{prefix}/{yyyy}/{mm}/{uuid4 hex}.{ext}`` -- nothing in it comes from the user.

    ``prefix`` is chosen by code (e.g. "applications/123"): letters, digits, ``_`` and
    ``-`` in ``/``-separated parts. ``fmt`` is a format token ("jpeg" becomes "jpg").
    """
    clean_prefix = str(prefix).strip("/")
    if not _SAFE_PREFIX.fullmatch(clean_prefix):
        raise ValueError(f"unsafe storage prefix: {prefix!r}")
    tokens = normalise_formats([fmt])
    if len(tokens) != 1:
        raise ValueError(f"not a single format token: {fmt!r}")
    now = timezone.now()
    if timezone.is_aware(now):
        now = timezone.localtime(now)
    return f"{clean_prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{tokens[0]}"
