"""Upload checks at their edges (applications/uploads.py): every signature that names a
file's real type, the PDF header window, the size and pixel messages at their limits,
dimensions read from a bomb's header, unusual streams, previews of transparent images and
file names at the length limit. Each case is one a planted bug in uploads.py slipped past
(`make mutation`)."""

import datetime
import io
import logging
import re

import pytest
import time_machine
from PIL import Image

from applications.uploads import (
    _ReadIntoAdapter,
    display_name,
    inspect_upload,
    make_preview,
    max_image_pixels,
    max_upload_bytes,
    normalise_formats,
    storage_key,
)

from .test_uploads import assemble_pdf, image_bytes, pdf_bytes, rejected, zip_bytes

MIB = 1024 * 1024
UNKNOWN = "文件“a.pdf”不是可识别的 pdf 文件（可能是可执行程序或已损坏），请重新导出后上传。"


def wrong_type(label: str) -> str:
    return f"文件“a.pdf”的实际内容是 {label}，与此项要求的格式（pdf）不符，请上传 pdf 文件。"


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    ("head", "label"),
    [
        (b"GIF87a", "GIF 图片"),
        (b"GIF89a", "GIF 图片"),
        (b"BM", "BMP 图片"),
        (b"II*\x00", "TIFF 图片"),
        (b"MM\x00*", "TIFF 图片"),
        (b"Rar!\x1a\x07", "RAR 压缩包"),
        (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
        (b"\x1f\x8b", "GZ 压缩包"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档（doc/xls）"),
        (b"{\\rtf1", "RTF 文档"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP 图片"),
        (b"\x00\x00\x00\x18ftypheic", "HEIC 图片（苹果手机照片）"),
        (b"\x00\x00\x00\x18ftypheix", "HEIC 图片（苹果手机照片）"),
        (b"\x00\x00\x00\x18ftypmif1", "HEIC 图片（苹果手机照片）"),
        (b"\x00\x00\x00\x18ftypmsf1", "HEIC 图片（苹果手机照片）"),
        (b"\x00\x00\x00\x18ftypheim", "HEIC 图片（苹果手机照片）"),
        (b"\xff\xd8\xff\xe0", "JPG 图片"),
        (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    ],
)
def test_each_recognised_signature_names_the_real_type(head, label):
    assert rejected(head + b"\x00" * 64, "pdf", name="a.pdf") == wrong_type(label)


@pytest.mark.parametrize(
    "head",
    [
        b"RIFF\x10\x00\x00\x00WAVEfmt ",  # a RIFF file that is no WebP (a sound)
        b"\x00\x00\x00\x18ftypisom",  # an MP4 video, not HEIC
        b"PK\x03\x04 not really a zip",
    ],
)
def test_look_alikes_of_recognised_types_are_unknown(head):
    assert rejected(head + b"\x00" * 64, "pdf", name="a.pdf") == UNKNOWN


@pytest.mark.parametrize(
    ("names", "label"),
    [
        (["OFD.XML", "Doc_0/Document.xml"], "OFD 版式文件"),  # names compared in lower case
        (["[Content_Types].xml", "word/document.xml"], "Word 文档（docx）"),
        (["[Content_Types].xml", "XL/workbook.xml"], "Excel 表格（xlsx）"),
        (["[Content_Types].xml", "ppt/slide1.xml"], "ZIP 压缩包"),  # PowerPoint: not accepted
        (["readme.txt"], "ZIP 压缩包"),
    ],
)
def test_zip_based_formats_are_told_apart_by_their_entries(names, label):
    assert rejected(zip_bytes(names), "pdf", name="a.pdf") == wrong_type(label)


@pytest.mark.parametrize(
    "signature",
    [
        b"MZ",
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"#!",
        b"\x00asm",
        b"dex\n",
    ],
)
def test_every_program_is_refused_even_with_a_pdf_header_planted_in_it(signature):
    data = signature + b"\x00" * 30 + pdf_bytes()
    assert rejected(data, "pdf", name="a.pdf") == UNKNOWN


@pytest.mark.parametrize(("junk", "accepted"), [(1019, True), (1023, True), (1024, False)])
def test_the_pdf_header_must_start_within_the_first_kilobyte(junk, accepted):
    data = b" " * junk + pdf_bytes()
    if accepted:
        assert inspect_upload(io.BytesIO(data), name="a.pdf", formats="pdf").pages == 1
    else:
        assert rejected(data, "pdf", name="a.pdf") == UNKNOWN


def test_a_camera_jpeg_with_a_malformed_multi_picture_header_is_accepted():
    """Pillow only warns about such a file (and reads it as a plain JPEG): only its
    decompression-bomb warning is a refusal."""
    mpf = b"MPF\x00MM\x00\x2a\x00\x00\x00\x08\x00\x03" + b"\x00" * 30
    data = image_bytes("JPEG", (64, 32))
    data = data[:2] + b"\xff\xe2" + (len(mpf) + 2).to_bytes(2, "big") + mpf + data[2:]
    result = inspect_upload(io.BytesIO(data), name="a.jpg", formats="jpg")
    assert (result.format, result.width, result.height) == ("jpg", 64, 32)


BROKEN_PDF = "PDF“a.pdf”已损坏或不完整，无法打开，请重新扫描或导出后上传。"


def test_a_pdf_whose_only_page_does_not_open_is_refused(caplog):
    data = assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Font >>",  # counted as the page, but no page
        ]
    )
    with caplog.at_level(logging.INFO, logger="applications.uploads"):
        assert rejected(data, "pdf", name="a.pdf") == BROKEN_PDF
    assert "PDF 'a.pdf' refused as broken: " in caplog.text  # the operators' log


def test_a_pdf_without_any_page_is_refused():
    assert rejected(pdf_bytes(pages=0), "pdf", name="a.pdf") == BROKEN_PDF


def test_an_unexpected_pdfium_failure_is_a_refusal_not_an_error(monkeypatch, caplog):
    # Whatever PDFium raises on hostile input, the applicant gets the Chinese message
    # (never a 500) and the operators' log names the file and the failure.
    import pypdfium2

    def fail(*args, **kwargs):
        raise RuntimeError("unexpected")

    data = pdf_bytes()
    monkeypatch.setattr(pypdfium2, "PdfDocument", fail)
    with caplog.at_level(logging.INFO, logger="applications.uploads"):
        assert rejected(data, "pdf", name="a.pdf") == BROKEN_PDF
    assert "PDF 'a.pdf' refused as broken: RuntimeError('unexpected')" in caplog.text


def test_an_image_that_does_not_decode_names_it_an_image(caplog):
    data = bytearray(image_bytes("PNG", (64, 64)))
    data[60:70] = b"\x00" * 10
    with caplog.at_level(logging.INFO, logger="applications.uploads"):
        assert rejected(bytes(data), "png", name="a.png") == (
            "图片“a.png”已损坏或不完整，无法打开，请重新扫描或导出后上传。"
        )
    # The operators' log names the refused file.
    assert "image 'a.png' refused as broken" in caplog.text


@pytest.mark.parametrize(("fmt", "token"), [("PNG", "png"), ("JPEG", "jpg")])
def test_a_one_pixel_image_is_accepted(fmt, token):
    found = inspect_upload(io.BytesIO(image_bytes(fmt, (1, 1))), name="a", formats=token)
    assert (found.format, found.width, found.height) == (token, 1, 1)


# --------------------------------------------------------------------------- size


def test_the_size_message_shows_just_enough_decimals_to_be_over_the_limit():
    data = image_bytes("PNG", (8, 8))
    data += b"\0" * (MIB + 1 - len(data))
    assert rejected(data, "png", name="a.png", max_bytes=MIB) == (
        "文件“a.png”大小为 1.000001 MB，超过上限 1 MB，请压缩或拆分后再上传。"
    )
    assert rejected(data, "png", name="a.png", max_bytes=MIB // 2) == (
        "文件“a.png”大小为 1 MB，超过上限 0.5 MB，请压缩或拆分后再上传。"
    )


def test_small_sizes_and_limits_are_shown_to_their_first_significant_decimal():
    data = image_bytes("PNG", (8, 8))
    data += b"\0" * (300 - len(data))
    assert rejected(data, "png", name="a.png", max_bytes=100) == (
        "文件“a.png”大小为 0.0003 MB，超过上限 0.0001 MB，请压缩或拆分后再上传。"
    )
    assert "超过上限 0 MB" in rejected(data, "png", name="a.png", max_bytes=0)


def test_a_size_just_over_the_limit_stops_at_the_first_decimal_that_shows_it():
    # 1.041008 MB over a 1 MB limit: "1.0" would look equal, "1.04" already is larger.
    data = image_bytes("PNG", (8, 8))
    data += b"\0" * (MIB + 43_000 - len(data))
    assert rejected(data, "png", name="a.png", max_bytes=MIB) == (
        "文件“a.png”大小为 1.04 MB，超过上限 1 MB，请压缩或拆分后再上传。"
    )


def test_the_limit_is_shown_to_one_decimal():
    data = image_bytes("PNG", (8, 8))
    data += b"\0" * (int(1.1 * MIB) - len(data))
    assert rejected(data, "png", name="a.png", max_bytes=int(1.04 * MIB)) == (
        "文件“a.png”大小为 1.1 MB，超过上限 1 MB，请压缩或拆分后再上传。"
    )


def test_a_fractional_size_limit_in_the_settings(settings):
    settings.PORTAL_MAX_UPLOAD_MB = "0.5"
    assert max_upload_bytes() == MIB // 2
    settings.PORTAL_MAX_UPLOAD_MB = None
    assert max_upload_bytes() == 50 * MIB
    del settings.PORTAL_MAX_UPLOAD_MB
    assert max_upload_bytes() == 50 * MIB


def test_the_pixel_limit_setting_and_its_default(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = "20000"
    assert max_image_pixels() == 20_000
    del settings.PORTAL_MAX_IMAGE_PIXELS
    assert max_image_pixels() == 50_000_000


@pytest.mark.parametrize(
    ("limit", "shown"), [(9_999, "9999 像素"), (10_000, "1 万像素"), (15_000, "1.5 万像素")]
)
def test_the_pixel_limit_is_shown_in_wan_from_ten_thousand(settings, limit, shown):
    settings.PORTAL_MAX_IMAGE_PIXELS = limit
    message = rejected(image_bytes("PNG", (200, 100), mode="1"), "png", name="a.png")
    assert message == (
        f"图片“a.png”像素过大（200×100），可能是异常文件，请缩小到 {shown}以内后上传。"
    )


# --------------------------------------------------------------------------- bombs


def _jpeg_segments():
    data = image_bytes("JPEG", (16, 8))
    segments, i = [], 2
    while data[i + 1] != 0xDA:
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segments.append(data[i : i + 2 + length])
        i += 2 + length
    return segments, data[i:]


def app_segment(total: int) -> bytes:
    """An application segment (APP15) of ``total`` bytes, marker included."""
    return b"\xff\xef" + (total - 2).to_bytes(2, "big") + b"\x00" * (total - 4)


def jpeg_header_bomb(width, height, marker=0xC0, *, fill=b"", padding=b""):
    """A small JPEG whose frame header claims ``width`` × ``height``; the Huffman tables
    and an arithmetic-coding segment come before the frame header, as a decoder allows,
    so the header must be found among them. ``fill`` goes right after the start marker,
    ``padding`` (whole segments, or junk a decoder skips) right before the frame."""
    segments, scan = _jpeg_segments()
    frame = bytearray(next(s for s in segments if s[1] == 0xC0))
    frame[1] = marker
    frame[5:7] = height.to_bytes(2, "big")
    frame[7:9] = width.to_bytes(2, "big")
    before = [s for s in segments if s[1] != 0xC0]
    tables = [s for s in before if s[1] == 0xC4]
    others = [s for s in before if s[1] != 0xC4]
    arithmetic = b"\xff\xcc\x00\x06\x01\x02\x03\x04"
    head = b"\xff\xd8" + fill + b"".join([*others, *tables]) + arithmetic + padding
    return head + bytes(frame) + scan


def bomb_message(width, height, name="大图.jpg"):
    return (
        f"图片“{name}”像素过大（{width}×{height}），可能是异常文件，"
        "请缩小到 5000 万像素以内后上传。"
    )


@pytest.mark.parametrize("marker", [0xC0, 0xC2, 0xC9, 0xCF])
@pytest.mark.parametrize("fill", [b"", b"\xff"])
def test_a_jpeg_bomb_is_refused_with_the_size_from_its_header(marker, fill):
    data = jpeg_header_bomb(30_000, 10_000, marker, fill=fill)
    assert rejected(data, "jpg", name="大图.jpg") == bomb_message(30_000, 10_000)


def test_a_jpeg_frame_header_after_a_long_segment_is_found():
    data = jpeg_header_bomb(30_000, 10_000, padding=app_segment(5000))
    assert rejected(data, "jpg", name="大图.jpg") == bomb_message(30_000, 10_000)


def frame_offset(data: bytes) -> int:
    """Where the frame header (19 bytes for a colour image) starts: right before the scan."""
    return len(data) - len(_jpeg_segments()[1]) - 19


def test_a_jpeg_frame_header_ending_exactly_at_64_kib_is_read():
    """The header is read from the first 64 KiB: a frame header whose size fields end on
    its last byte still counts; one byte further the size is unknown (0×0)."""
    # The frame's width field is bytes 7-8 after its marker: make byte 8 the last one.
    needed = 64 * 1024 - 9 - frame_offset(jpeg_header_bomb(1, 1))
    data = jpeg_header_bomb(30_000, 10_000, padding=app_segment(needed))
    assert frame_offset(data) + 9 == 64 * 1024
    assert rejected(data, "jpg", name="大图.jpg") == bomb_message(30_000, 10_000)
    data = jpeg_header_bomb(30_000, 10_000, padding=app_segment(needed + 1))
    assert rejected(data, "jpg", name="大图.jpg") == bomb_message(0, 0)


def test_a_jpeg_bomb_whose_header_cannot_be_followed_is_still_refused_cleanly():
    # Junk between segments, which a decoder skips, stops the header reader: the size is
    # unknown (0×0) but the file is refused with the bomb message, never an error.
    data = jpeg_header_bomb(30_000, 10_000, padding=b"\x00junk")
    assert rejected(data, "jpg", name="大图.jpg") == bomb_message(0, 0)
    far = jpeg_header_bomb(30_000, 10_000, padding=app_segment(65_000) + app_segment(3_000))
    assert rejected(far, "jpg", name="大图.jpg") == bomb_message(0, 0)


def test_a_png_bomb_is_refused_with_width_and_height_in_order():
    from .test_uploads import png_header_bomb

    message = rejected(png_header_bomb(width=90_000, height=20_000), "png", name="a.png")
    assert "（90000×20000）" in message
    # Four bytes each: a width beyond 2**24 (and a height of just 10) is read whole.
    message = rejected(png_header_bomb(width=20_000_000, height=10), "png", name="a.png")
    assert "（20000000×10）" in message
    message = rejected(png_header_bomb(width=10, height=20_000_000), "png", name="a.png")
    assert "（10×20000000）" in message


# --------------------------------------------------------------------------- streams


class SizedStream:
    """A request body: read() and a ``size``, but no way to seek to the end."""

    def __init__(self, data: bytes, size):
        self.raw = io.BytesIO(data)
        self.size = size

    def read(self, n=-1):
        return self.raw.read(n)

    def seek(self, offset, whence=0):
        if whence:
            raise OSError("cannot seek to the end")
        return self.raw.seek(offset)

    def tell(self):
        return self.raw.tell()


def test_a_stream_without_a_usable_size_is_measured_by_reading():
    data = image_bytes("PNG", (8, 8))
    result = inspect_upload(SizedStream(data, size="12"), name="a.png", formats="png")
    assert result.size == len(data)
    with pytest.raises(Exception, match="超过上限"):
        inspect_upload(SizedStream(data, size=None), name="a.png", formats="png", max_bytes=10)


class ShortReads(SizedStream):
    """A stream that gives at most ``step`` bytes per read (a pipe or socket), and no size."""

    def __init__(self, data: bytes, step: int):
        super().__init__(data, size=None)
        del self.size
        self.step = step

    def read(self, n=-1):
        return self.raw.read(self.step if n is None or n < 0 else min(n, self.step))


def test_a_stream_without_any_size_is_measured_by_reading():
    data = image_bytes("PNG", (8, 8))
    assert inspect_upload(ShortReads(data, 1 << 20), name="a.png", formats="png").size == len(data)


def test_a_stream_of_short_reads_is_judged_by_its_real_first_bytes():
    # The head kept for recognising the type gathers the first bytes over several reads.
    data = image_bytes("PNG", (64, 64))
    with pytest.raises(Exception) as info:
        inspect_upload(ShortReads(data, 16), name="a.pdf", formats="pdf")
    assert str(info.value) == wrong_type("PNG 图片")


def test_inspect_upload_without_formats_is_a_programming_error():
    with pytest.raises(ValueError, match="inspect_upload needs at least one accepted format"):
        inspect_upload(io.BytesIO(b"x"), name="a", formats=[])


def test_an_oversize_file_that_tells_its_length_is_refused_unread():
    from .test_uploads import ReadRecorder

    data = image_bytes("PNG", (8, 8))
    data += b"\0" * (3 * MIB - len(data))
    recorder = ReadRecorder(io.BytesIO(data))
    assert rejected_stream(recorder, max_bytes=2 * MIB) == (
        "文件“a.png”大小为 3 MB，超过上限 2 MB，请压缩或拆分后再上传。"
    )
    assert recorder.total == 0


def rejected_stream(stream, **kwargs):
    from applications.uploads import UploadRejected

    with pytest.raises(UploadRejected) as info:
        inspect_upload(stream, name="a.png", formats="png", **kwargs)
    return info.value.message


def test_an_inspection_gives_sizes_for_images_and_pages_for_pdfs():
    image = inspect_upload(io.BytesIO(image_bytes("PNG", (30, 20))), name="a", formats="png")
    assert (image.width, image.height, image.pages) == (30, 20, None)
    pdf = inspect_upload(io.BytesIO(pdf_bytes(pages=3)), name="a", formats="pdf")
    assert (pdf.width, pdf.height, pdf.pages, pdf.content_type) == (
        None,
        None,
        3,
        "application/pdf",
    )
    docx = inspect_upload(
        io.BytesIO(zip_bytes(["[Content_Types].xml", "word/document.xml"])),
        name="a",
        formats="docx",
    )
    assert (docx.format, docx.width, docx.pages) == ("docx", None, None)


def test_a_text_mode_file_is_a_programming_error():
    with pytest.raises(TypeError, match="binary file object"):
        inspect_upload(io.StringIO("%PDF-1.7"), name="a.pdf", formats="pdf")


def test_the_pdf_reader_adapter_reads_across_chunks():
    data = bytes(range(256)) * (5 * 4096 + 7)  # a little over 5 MiB
    adapter = _ReadIntoAdapter(io.BytesIO(data))
    buffer = bytearray(len(data) + 10)
    assert adapter.readinto(buffer) == len(data)
    assert bytes(buffer[: len(data)]) == data
    assert adapter.seek(3) == 3 and adapter.tell() == 3
    assert adapter.seek(-2, io.SEEK_END) == len(data) - 2
    small = bytearray(4)
    assert adapter.readinto(small) == 2
    assert bytes(small[:2]) == data[-2:]


# --------------------------------------------------------------------------- previews


def open_preview(data):
    img = Image.open(io.BytesIO(data))
    assert (img.format, img.mode) == ("JPEG", "RGB")
    return img


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_images_are_previewed_on_white(mode):
    img = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    img.paste((200, 0, 0, 255), (0, 0, 20, 20))
    if mode == "LA":
        img = img.convert(mode)
    elif mode == "P":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE)
        img.info["transparency"] = img.getpixel((30, 10))
    buf = io.BytesIO()
    img.save(buf, "PNG", **({"transparency": img.info["transparency"]} if mode == "P" else {}))
    preview = open_preview(make_preview(io.BytesIO(buf.getvalue()), "png"))
    assert min(preview.getpixel((35, 10))) >= 245  # transparent part: white, not black


def test_an_opaque_image_keeps_its_colour():
    preview = open_preview(make_preview(io.BytesIO(image_bytes("PNG", (40, 20))), "png"))
    red, green, blue = preview.getpixel((20, 10))
    assert abs(red - 30) < 8 and abs(green - 120) < 8 and abs(blue - 200) < 8


def test_no_preview_above_the_pixel_limit(settings, caplog):
    data = image_bytes("PNG", (200, 100))
    settings.PORTAL_MAX_IMAGE_PIXELS = 20_000
    assert make_preview(io.BytesIO(data), "png") is not None
    settings.PORTAL_MAX_IMAGE_PIXELS = 19_999
    with caplog.at_level(logging.WARNING, logger="applications.uploads"):
        assert make_preview(io.BytesIO(data), "png") is None
    # The operators' log says why the material shows no preview.
    assert "image exceeds the pixel limit" in caplog.text


def test_a_large_jpeg_preview_is_scaled_to_the_longer_side():
    data = image_bytes("JPEG", (3000, 1500))
    assert open_preview(make_preview(io.BytesIO(data), "jpg")).size == (1000, 500)


def test_a_pdf_preview_is_scaled_to_the_longer_side():
    data = pdf_bytes(size=(842, 595))  # A4 landscape
    img = open_preview(make_preview(io.BytesIO(data), "PDF"))
    assert img.width == 1000 and 700 <= img.height <= 708


def test_a_tiny_pdf_page_is_previewed_at_full_size():
    # A page of 1.5 × 1 points is enlarged to the preview size like any other page.
    img = open_preview(make_preview(io.BytesIO(pdf_bytes(size=(1.5, 1))), "pdf"))
    assert img.width == 1000 and 660 <= img.height <= 670


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("报告.abcdefghij", "报告.abcdefghij"),  # a ten-character extension is kept
        ("报告.abcdefghijk", "报告.abcdefghijk"),  # eleven: part of the name (not split)
        ("COM9.txt", "COM9_.txt"),
        ("lpt1.pdf", "lpt1_.pdf"),
        ("COM0.txt", "COM0.txt"),
        ("nul", "nul_"),
        (".pdf", "pdf"),
        ("a\t\n b.pdf", "a b.pdf"),
    ],
)
def test_display_name_edges(original, expected):
    assert display_name(original) == expected


@pytest.mark.parametrize(
    ("original", "max_length", "expected"),
    [
        ("a  \t b.pdf", 120, "a b.pdf"),  # whitespace runs become one space
        ("报告..pdf", 120, "报告.pdf"),  # dots before the extension dropped
        ("报告.final.pdf", 8, "报告.f.pdf"),  # only the last part is the extension
        ("a" * 20 + ".abcdefghij", 15, "aaaa.abcdefghij"),  # ten letters: an extension
        ("a" * 20 + ".abcdefghijk", 15, "a" * 15),  # eleven: part of the name
    ],
)
def test_display_name_keeps_the_extension_when_truncating(original, max_length, expected):
    assert display_name(original, max_length=max_length) == expected


def test_display_name_when_even_the_extension_does_not_fit():
    assert display_name("申请材料.abcdefgh", max_length=5) == "申请材料"
    assert display_name("申请材料.abcdefgh", max_length=3) == "申请材"
    assert display_name("申请材料.pdf", max_length=0) == "申"
    assert display_name("申请材料.pdf", max_length=5) == "申.pdf"


def test_storage_keys_use_the_local_month():
    # 2026-06-30 20:00 UTC is already 1 July in Asia/Shanghai.
    moment = datetime.datetime(2026, 6, 30, 20, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        assert storage_key("/applications/7/", "PDF").startswith("applications/7/2026/07/")


def test_a_storage_key_keeps_its_prefix_but_the_surrounding_slashes():
    key = storage_key("/X-ray/42X/", "pdf")
    assert re.fullmatch(r"X-ray/42X/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", key), key
    with pytest.raises(ValueError, match=r"unsafe storage prefix: '\.\./etc'"):
        storage_key("../etc", "pdf")


def test_a_storage_key_needs_exactly_one_format():
    with pytest.raises(ValueError, match="not a single format token"):
        storage_key("applications/1", "jpg png")


def test_normalise_formats_skips_empty_tokens_and_takes_none():
    assert normalise_formats("、jpg、、png、") == ["jpg", "png"]
    assert normalise_formats(None) == []
    with pytest.raises(ValueError, match="可用的格式：jpg、png、pdf、ofd、xlsx、docx"):
        normalise_formats("bmp")
