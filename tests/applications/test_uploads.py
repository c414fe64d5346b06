"""Upload checks shared by the web form, the HTTP API and the management commands.

Every file is generated here: images with Pillow, PDFs with pypdfium2 or by hand.
"""

import hashlib
import io
import re
import struct
import zipfile
import zlib

import pypdfium2 as pdfium
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import timezone
from PIL import Image

from applications.uploads import (
    FORMAT_LABELS,
    Inspection,
    UploadRejected,
    describe_formats,
    display_name,
    inspect_upload,
    make_preview,
    normalise_formats,
    sha256_of,
    storage_key,
)

MIB = 1024 * 1024


# --------------------------------------------------------------------------- builders


def image_bytes(fmt="PNG", size=(320, 200), mode="RGB", **save_args):
    img = Image.new(mode, size, (30, 120, 200) if mode == "RGB" else 0)
    buf = io.BytesIO()
    img.save(buf, fmt, **save_args)
    return buf.getvalue()


def noisy_jpeg(size=(400, 300)):
    """A JPEG with real entropy, so truncating it loses actual image data."""
    img = Image.effect_noise(size, 80).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def pdf_bytes(pages=1, size=(595, 842)):
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(*size)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def assemble_pdf(objects, trailer_extra=b"", stream_sizes=None):
    """A classic-xref PDF from ``objects`` (bodies of objects 1..n)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(objects) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


PDF_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def encrypted_pdf(user_password=b"user", owner_password=b"owner"):
    """A one-page PDF protected with an open password (Standard handler, RC4 40-bit, R2)."""
    file_id = b"0123456789abcdef"
    permissions = -4
    pad = lambda pw: (pw + PDF_PAD)[:32]  # noqa: E731
    owner_key = hashlib.md5(pad(owner_password)).digest()[:5]
    o_value = rc4(owner_key, pad(user_password))
    key = hashlib.md5(
        pad(user_password) + o_value + struct.pack("<i", permissions) + file_id
    ).digest()[:5]
    u_value = rc4(key, PDF_PAD)
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        o_value.hex().encode(),
        u_value.hex().encode(),
        permissions,
    )
    return assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            encrypt,
        ],
        trailer_extra=b"/Encrypt 4 0 R /ID [<%s> <%s>]" % ((file_id.hex().encode(),) * 2),
    )


def big_pdf(path, padding):
    """A valid one-page PDF whose content stream is ``padding`` bytes of whitespace."""
    content = b" " * padding
    data = assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
    )
    path.write_bytes(data)
    return data


def png_chunk(kind, data):
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_header_bomb(width=100_000, height=100_000):
    """A few dozen bytes claiming a gigantic 1-bit image."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def zip_bytes(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for entry in names:
            archive.writestr(entry, b"<x/>")
    return buf.getvalue()


class ReadRecorder:
    """A plain file-like (read/seek/tell only) that remembers its largest read()."""

    def __init__(self, raw):
        self.raw = raw
        self.largest = 0
        self.total = 0

    def read(self, n=-1):
        if n is None or n < 0:
            self.largest = float("inf")
        data = self.raw.read(n)
        self.largest = max(self.largest, len(data))
        self.total += len(data)
        return data

    def seek(self, offset, whence=0):
        return self.raw.seek(offset, whence)

    def tell(self):
        return self.raw.tell()


def rejected(data, formats, name="材料.pdf", **kwargs):
    with pytest.raises(UploadRejected) as info:
        inspect_upload(io.BytesIO(data), name=name, formats=formats, **kwargs)
    return info.value.message


# --------------------------------------------------------------------------- accepted


def test_valid_jpg_is_accepted_with_its_facts():
    data = image_bytes("JPEG", (640, 480))
    f = io.BytesIO(data)
    result = inspect_upload(f, name="身份证正面.jpg", formats="jpg、png")
    assert result == Inspection(
        format="jpg",
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=640,
        height=480,
    )
    assert f.tell() == 0


def test_valid_png_is_accepted():
    data = image_bytes("PNG", (123, 45), mode="RGBA")
    result = inspect_upload(io.BytesIO(data), name="a.png", formats=["png"])
    assert (result.format, result.content_type) == ("png", "image/png")
    assert (result.width, result.height, result.pages) == (123, 45, None)
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_valid_pdf_is_accepted_with_page_count():
    data = pdf_bytes(pages=3)
    f = io.BytesIO(data)
    result = inspect_upload(f, name="营业执照.pdf", formats=["pdf"])
    assert result.format == "pdf"
    assert result.content_type == "application/pdf"
    assert result.pages == 3
    assert (result.width, result.height) == (None, None)
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert f.tell() == 0


def test_pillow_made_pdf_is_accepted():
    img = Image.new("RGB", (200, 100), "white")
    buf = io.BytesIO()
    img.save(buf, "PDF")
    assert inspect_upload(buf, name="x.pdf", formats="pdf").pages == 1


def test_pdf_header_may_follow_a_little_junk():
    data = b"\xef\xbb\xbf" + b"\n" * 100 + pdf_bytes()
    assert inspect_upload(io.BytesIO(data), name="x.pdf", formats="pdf").pages == 1


def test_format_is_decided_by_content_not_name():
    data = image_bytes("PNG")
    result = inspect_upload(io.BytesIO(data), name="照片.jpg", formats=["jpeg", "png"])
    assert result.format == "png"


def test_django_uploaded_files_work(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    data = pdf_bytes(pages=2)
    upload = SimpleUploadedFile("申请表.pdf", data, content_type="application/octet-stream")
    assert inspect_upload(upload, name=upload.name, formats="pdf").pages == 2

    temp = TemporaryUploadedFile("申请表.pdf", "application/pdf", len(data), None)
    temp.write(data)
    temp.flush()
    result = inspect_upload(temp, name=temp.name, formats="pdf")
    assert result.pages == 2
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert temp.tell() == 0
    temp.close()


def test_open_file_on_disk_works(tmp_path):
    path = tmp_path / "scan.jpg"
    path.write_bytes(image_bytes("JPEG", (50, 60)))
    with path.open("rb") as f:
        result = inspect_upload(f, name=path.name, formats="jpg")
    assert (result.width, result.height) == (50, 60)


@pytest.mark.parametrize(
    ("names", "fmt", "content_type"),
    [
        (["OFD.xml", "Doc_0/Document.xml"], "ofd", "application/ofd"),
        (["[Content_Types].xml", "xl/workbook.xml"], "xlsx", "spreadsheetml"),
        (["[Content_Types].xml", "word/document.xml"], "docx", "wordprocessingml"),
    ],
)
def test_zip_based_formats(names, fmt, content_type):
    result = inspect_upload(io.BytesIO(zip_bytes(names)), name=f"x.{fmt}", formats=[fmt])
    assert result.format == fmt
    assert content_type in result.content_type


# --------------------------------------------------------------------------- refused


def test_png_renamed_pdf_names_its_real_type():
    message = rejected(image_bytes("PNG"), ["pdf"], name="发票.pdf")
    assert message == (
        "文件“发票.pdf”的实际内容是 PNG 图片，与此项要求的格式（pdf）不符，请上传 pdf 文件。"
    )


def test_other_recognised_types_are_named():
    assert "GIF 图片" in rejected(image_bytes("GIF"), "jpg、png", name="a.jpg")
    assert "ZIP 压缩包" in rejected(zip_bytes(["a.txt"]), "pdf")
    assert "Excel 表格" in rejected(zip_bytes(["[Content_Types].xml", "xl/a.xml"]), "pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 200,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
        # A program with a PDF header planted in its first kilobyte.
        b"MZ" + b"\x00" * 62 + b"%PDF-1.7\n" + b"\x00" * 200,
        b"#!/bin/sh\nrm -rf /\n",
        b"just some text, nothing recognisable",
    ],
)
def test_executables_and_unknown_content_are_refused(data):
    message = rejected(data, "jpg、png", name="病毒.jpg")
    assert message == (
        "文件“病毒.jpg”不是可识别的 jpg、png 文件（可能是可执行程序或已损坏），请重新导出后上传。"
    )


def test_pdf_header_after_first_kilobyte_is_not_a_pdf():
    message = rejected(b" " * 2000 + pdf_bytes(), "pdf")
    assert "不是可识别的 pdf 文件" in message


def test_truncated_jpeg_is_refused():
    data = noisy_jpeg()
    message = rejected(data[: len(data) * 6 // 10], "jpg", name="照片.jpg")
    assert message == "图片“照片.jpg”已损坏或不完整，无法打开，请重新扫描或导出后上传。"


def test_corrupted_png_is_refused():
    data = bytearray(image_bytes("PNG", (64, 64)))
    data[60:70] = b"\x00" * 10  # break the IDAT data and its CRC
    assert "已损坏或不完整" in rejected(bytes(data), "png", name="a.png")


def test_broken_pdf_is_refused():
    message = rejected(b"%PDF-1.7\n" + b"garbage " * 50, "pdf", name="坏.pdf")
    assert message == "PDF“坏.pdf”已损坏或不完整，无法打开，请重新扫描或导出后上传。"


def test_encrypted_pdf_is_refused():
    data = encrypted_pdf()
    # The hand-made file really is a valid PDF once the password is given.
    with pdfium.PdfDocument(data, password="user") as pdf:
        assert len(pdf) == 1
    assert (
        rejected(data, "pdf", name="加密.pdf") == "PDF“加密.pdf”设置了打开密码，请去除密码后上传。"
    )


def test_header_bomb_is_refused_without_decoding():
    message = rejected(png_header_bomb(), "png", name="大图.png")
    assert message == (
        "图片“大图.png”像素过大（100000×100000），可能是异常文件，请缩小到 5000 万像素以内后上传。"
    )


def test_large_real_image_is_refused_by_default_limit():
    data = image_bytes("PNG", (10_000, 10_000), mode="1")  # 100 MP, compresses to ~KB
    assert len(data) < 200_000
    assert "10000×10000" in rejected(data, "png", name="a.png")


def test_pixel_limit_is_configurable(settings):
    data = image_bytes("PNG", (2000, 1000), mode="1")
    assert inspect_upload(io.BytesIO(data), name="a.png", formats="png").width == 2000
    settings.PORTAL_MAX_IMAGE_PIXELS = 1_000_000
    message = rejected(data, "png", name="a.png")
    assert "（2000×1000）" in message
    assert "100 万像素以内" in message


def test_empty_file_is_refused():
    assert rejected(b"", "pdf", name="空.pdf") == "文件“空.pdf”是空文件，请重新选择。"


def test_size_limit_by_argument():
    data = image_bytes("PNG", (100, 100))
    message = rejected(data, "png", name="a.png", max_bytes=100)
    assert message.startswith("文件“a.png”大小为 ")
    assert re.search(r"大小为 [\d.]+ MB，超过上限 [\d.]+ MB，请压缩或拆分后再上传。$", message)


def test_size_limit_from_settings(settings):
    settings.PORTAL_MAX_UPLOAD_MB = 1
    data = pdf_bytes() + b"\n" + b" " * int(1.5 * MIB)  # trailing whitespace is harmless
    message = rejected(data, "pdf", name="大.pdf")
    assert message == "文件“大.pdf”大小为 1.5 MB，超过上限 1 MB，请压缩或拆分后再上传。"
    settings.PORTAL_MAX_UPLOAD_MB = 2
    assert inspect_upload(io.BytesIO(data), name="大.pdf", formats="pdf").size == len(data)


def test_messages_show_a_cleaned_name():
    message = rejected(b"", "pdf", name="C:\\Users\\张三\\发票.pdf")
    assert message == "文件“发票.pdf”是空文件，请重新选择。"


def test_file_is_rewound_after_rejection():
    f = io.BytesIO(image_bytes("PNG"))
    f.seek(10)
    with pytest.raises(UploadRejected):
        inspect_upload(f, name="a.pdf", formats="pdf")
    assert f.tell() == 0


def test_upload_rejected_is_a_value_error_with_the_message():
    error = UploadRejected("请重新上传。")
    assert isinstance(error, ValueError)
    assert str(error) == error.message == "请重新上传。"


def test_no_or_unknown_formats_is_a_programming_error():
    with pytest.raises(ValueError):
        inspect_upload(io.BytesIO(b"x"), name="a", formats=[])
    with pytest.raises(ValueError):
        inspect_upload(io.BytesIO(b"x"), name="a", formats="exe")


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("jpg、png", ["jpg", "png"]),
        ("jpg,png", ["jpg", "png"]),
        ("jpg， png；PDF", ["jpg", "png", "pdf"]),
        (["JPG", "jpeg"], ["jpg"]),
        (".PDF *.png", ["pdf", "png"]),
        ("jpeg/ofd|xlsx docx", ["jpg", "ofd", "xlsx", "docx"]),
        ("", []),
        ([], []),
    ],
)
def test_normalise_formats(given, expected):
    assert normalise_formats(given) == expected


def test_normalise_formats_refuses_unknown_tokens():
    with pytest.raises(ValueError, match="exe"):
        normalise_formats("jpg、exe")


def test_describe_formats_and_labels():
    assert describe_formats(["PNG", "jpeg", "png"]) == "png、jpg"
    assert describe_formats("pdf") == "pdf"
    assert FORMAT_LABELS["jpg"] == "JPG 图片"
    assert set(FORMAT_LABELS) == {"jpg", "png", "pdf", "ofd", "xlsx", "docx"}


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("营业执照（副本）.jpg", "营业执照（副本）.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\发票.pdf", "发票.pdf"),
        ("a\x00b\x1f\u202ec.pdf", "abc.pdf"),
        ('报<装>:"申|请?*.pdf', "报装申请.pdf"),
        ("e\u0301.jpg", "\u00e9.jpg"),
        ("CON.pdf", "CON_.pdf"),
        ("  名称.pdf. ", "名称.pdf"),
        ("", "未命名文件"),
        ("../..", "未命名文件"),
        (None, "未命名文件"),
    ],
)
def test_display_name(original, expected):
    assert display_name(original) == expected


def test_display_name_truncation_keeps_extension():
    name = display_name("充电桩" * 100 + ".pdf")
    assert len(name) == 120
    assert name == "充电桩" * 38 + "充电.pdf"
    short = display_name("河南省充电基础设施建设补贴申请表.xlsx", max_length=12)
    assert short == "河南省充电基础.xlsx"


# --------------------------------------------------------------------------- keys


def test_storage_key_is_not_derived_from_user_input():
    key = storage_key("applications/123", "jpeg")
    now = timezone.localtime()
    assert re.fullmatch(
        rf"applications/123/{now:%Y}/{now:%m}/[0-9a-f]{{32}}\.jpg",
        key,
    )
    assert storage_key("applications/123", "pdf").endswith(".pdf")
    assert storage_key("applications/123", "pdf") != storage_key("applications/123", "pdf")


@pytest.mark.parametrize("prefix", ["../etc", "a/../b", "", "a b", "申请/1"])
def test_storage_key_refuses_unsafe_prefix(prefix):
    with pytest.raises(ValueError):
        storage_key(prefix, "pdf")


def test_storage_key_refuses_unknown_format():
    with pytest.raises(ValueError):
        storage_key("applications/1", "exe")


# --------------------------------------------------------------------------- previews


def open_preview(data):
    assert data is not None
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert img.mode == "RGB"
    return img


def test_preview_of_png():
    f = io.BytesIO(image_bytes("PNG", (2400, 1200), mode="RGBA"))
    img = open_preview(make_preview(f, "png"))
    assert img.size == (1000, 500)
    assert f.tell() == 0


def test_preview_of_jpg_follows_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    data = image_bytes("JPEG", (1600, 800), exif=exif)
    img = open_preview(make_preview(io.BytesIO(data), "jpeg", max_side=400))
    assert img.size == (200, 400)


def test_preview_of_pdf_renders_first_page():
    f = io.BytesIO(pdf_bytes(pages=2, size=(595, 842)))
    img = open_preview(make_preview(f, "pdf", max_side=600))
    assert max(img.size) <= 600
    assert max(img.size) >= 590
    assert img.width < img.height
    assert f.tell() == 0


def test_small_image_preview_is_not_enlarged():
    img = open_preview(make_preview(io.BytesIO(image_bytes("PNG", (80, 40))), "png"))
    assert img.size == (80, 40)


def test_no_preview_for_other_or_broken_files():
    assert make_preview(io.BytesIO(zip_bytes(["OFD.xml"])), "ofd") is None
    assert make_preview(io.BytesIO(b"%PDF-1.7 broken"), "pdf") is None
    assert make_preview(io.BytesIO(png_header_bomb()), "png") is None


# --------------------------------------------------------------------------- streaming


def test_sha256_of_streams_in_chunks(tmp_path):
    path = tmp_path / "big.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with path.open("wb") as out:
        for i in range(30):
            out.write(block[i:] + block[:i])
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    with path.open("rb") as raw:
        recorder = ReadRecorder(raw)
        assert sha256_of(recorder) == expected
        assert recorder.largest <= MIB + 64 * 1024
        assert recorder.total == 30 * MIB
        assert raw.tell() == 0


def test_inspecting_a_30_mb_pdf_never_reads_it_at_once(tmp_path):
    path = tmp_path / "big.pdf"
    data = big_pdf(path, 30 * MIB)
    with path.open("rb") as raw:
        recorder = ReadRecorder(raw)
        result = inspect_upload(recorder, name="big.pdf", formats="pdf")
        assert recorder.largest <= MIB + 64 * 1024
        assert raw.tell() == 0
    assert result.pages == 1
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
