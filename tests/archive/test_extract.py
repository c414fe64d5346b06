"""Full-text extraction: text layers, OCR of scans and images, QR codes.

OCR takes a few seconds per call on a small machine, so each OCR'd sample is
extracted once per module (module-scoped fixtures) and the tests that need OCR are
named ``test_ocr_*`` (select or deselect them with ``-k ocr``).
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest

from archive import extract as extract_module
from archive.extract import (
    Extracted,
    ExtractionError,
    _join_lines,
    extract,
    normalise_text,
    read_qr_codes,
)
from archive.fields import certificate_fields, invoice_fields, licence_fields, recognise
from tests.archive import samples

pytestmark = pytest.mark.skipif(
    not samples.fonts_available(), reason="Noto CJK fonts are not installed"
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def licence_result() -> Extracted:
    return extract(io.BytesIO(samples.licence_png()), "png")


@pytest.fixture(scope="module")
def scanned_pdf_result() -> Extracted:
    return extract(samples.image_only_pdf(samples.licence_image()), "pdf")


@pytest.fixture(scope="module")
def invoice_result() -> Extracted:
    return extract(samples.invoice_png(), "png")


@pytest.fixture(scope="module")
def certificate_result(tmp_path_factory) -> Extracted:
    path = tmp_path_factory.mktemp("archive") / "certificate.png"
    path.write_bytes(samples.certificate_png())
    return extract(path, "png")  # also covers reading from a path


@pytest.fixture(scope="module")
def text_pdf() -> bytes:
    return samples.text_pdf(
        [samples.TEXT_PDF_LINES, ["Page two: 2 x DC charger 120 kW"]],
        qr_payload=samples.INVOICE_QR,
    )


# --------------------------------------------------------------------------- OCR: licence


def test_ocr_licence_image_finds_every_field(licence_result):
    assert licence_result.method == "ocr"
    assert (licence_result.pages, licence_result.ocr_pages) == (1, 1)
    assert licence_result.qr_payloads == []
    assert "营业执照" in licence_result.text.replace(" ", "")

    fields = licence_fields(licence_result.text)
    assert fields["credit_code"] == samples.LICENCE_CREDIT_CODE
    assert fields["name"] == samples.LICENCE["name"]
    assert fields["legal_representative"] == samples.LICENCE["legal_representative"]
    assert fields["registered_capital"] == Decimal("1000")
    assert fields["registered_on"] == samples.LICENCE["registered_on"]


def test_ocr_licence_lines_keep_the_two_column_layout(licence_result):
    lines = normalise_text(licence_result.text).split("\n")
    # the left and right column of one row come out as one line, left first
    row = next(line for line in lines if "法定代表人" in line)
    assert row.index("法定代表人") < row.index("营业期限")
    # rows come out top to bottom
    text = licence_result.text
    assert text.index("统一社会信用代码") < text.index("法定代表人") < text.index("登记机关")


def test_ocr_image_only_pdf_goes_through_ocr(scanned_pdf_result):
    assert scanned_pdf_result.method == "ocr"
    assert scanned_pdf_result.pages == 1
    assert scanned_pdf_result.ocr_pages >= 1
    fields = recognise("licence", scanned_pdf_result.text, scanned_pdf_result.qr_payloads)
    assert fields["credit_code"] == samples.LICENCE_CREDIT_CODE
    assert fields["registered_capital"] == Decimal("1000")


# --------------------------------------------------------------------------- OCR: invoice


def test_ocr_invoice_image_decodes_the_qr_code(invoice_result):
    assert invoice_result.qr_payloads == [samples.INVOICE_QR]
    assert invoice_result.method == "ocr"


def test_ocr_invoice_fields_from_qr_and_text(invoice_result):
    fields = invoice_fields(invoice_result.text, invoice_result.qr_payloads)
    expected = samples.INVOICE
    for key in ("invoice_code", "invoice_number", "issued_on", "check_code"):
        assert fields[key] == expected[key], key
    assert fields["amount_excl_tax"] == Decimal("1000.00")  # from the QR code
    assert fields["amount"] == Decimal("1130.00")  # 价税合计, printed
    assert fields["buyer_name"] == expected["buyer_name"]
    assert fields["seller_name"] == expected["seller_name"]
    assert fields["invoice_type"] == "10"


def test_ocr_invoice_text_alone_gives_the_printed_fields(invoice_result):
    fields = invoice_fields(invoice_result.text, [])
    assert fields["invoice_code"] == "044031900111"
    assert fields["invoice_number"] == "12345678"
    assert fields["issued_on"] == samples.INVOICE["issued_on"]
    assert fields["check_code"] == "12345678901234567890"  # printed in groups of five


def test_full_digital_invoice_qr_is_decoded_from_the_image():
    # no OCR here: only the QR scanner runs on the rendered invoice
    img = samples.invoice_image(samples.DIGITAL_INVOICE_QR)
    assert read_qr_codes(img) == [samples.DIGITAL_INVOICE_QR]


# --------------------------------------------------------------------------- OCR: certificate


def test_ocr_certificate_number_and_holder(certificate_result):
    assert certificate_result.method == "ocr"
    fields = certificate_fields(certificate_result.text)
    assert fields["certificate_number"] == samples.CERTIFICATE["certificate_number"]
    assert fields["holder_name"] == samples.CERTIFICATE["holder_name"]
    assert fields["certificate_type"] == "电工进网作业许可证"


def test_ocr_mixed_pdf_reads_the_text_layer_and_ocrs_the_scanned_page():
    data = samples.text_pdf(
        [samples.TEXT_PDF_LINES, []], image_pages={1: samples.certificate_image()}
    )
    result = extract(data, "pdf")
    assert result.method == "mixed"
    assert (result.pages, result.ocr_pages) == (2, 1)
    assert "Invoice number: 12345678" in result.text
    assert samples.CERTIFICATE["certificate_number"] in result.text
    assert result.text.index("Invoice number") < result.text.index("电工进网作业许可证")


# --------------------------------------------------------------------------- text layer


def test_text_layer_pdf_needs_no_ocr(text_pdf, monkeypatch):
    def no_ocr(img):  # pragma: no cover - fails the test if reached
        raise AssertionError("a page with a text layer must not be OCR'd")

    monkeypatch.setattr(extract_module, "ocr_image", no_ocr)
    result = extract(text_pdf, "pdf")
    assert result.method == "text-layer"
    assert (result.pages, result.ocr_pages) == (2, 0)
    assert "Invoice code: 044031900111" in result.text
    assert "Page two" in result.text
    assert result.text.index("Invoice code") < result.text.index("Page two")
    assert not result.truncated


def test_text_layer_pdf_qr_code_is_read_from_the_rendered_first_page(text_pdf):
    result = extract(io.BytesIO(text_pdf), "pdf")
    assert result.qr_payloads == [samples.INVOICE_QR]
    fields = recognise("invoice", result.text, result.qr_payloads)
    assert fields["invoice_code"] == "044031900111"
    assert fields["invoice_number"] == "12345678"
    assert fields["amount"] == Decimal("1000.00")  # no 价税合计 printed: the QR amount


def test_qr_is_only_scanned_on_the_first_pages(monkeypatch):
    pages = [["Cover page of the report, no code here"]] * 2 + [["Page three, with QR"]]
    data = samples.text_pdf(pages, qr_payload=samples.INVOICE_QR)
    monkeypatch.setattr(extract_module, "QR_PAGES", 0)
    assert extract(data, "pdf").qr_payloads == []


def test_long_pdf_is_truncated_with_a_note(monkeypatch):
    data = samples.text_pdf([[f"Page {n} of the test report"] for n in range(1, 5)])
    monkeypatch.setattr(extract_module, "MAX_PAGES", 2)
    result = extract(data, "pdf")
    assert result.pages == 4
    assert result.truncated
    assert "Page 2 of" in result.text and "Page 3 of" not in result.text
    assert result.notes == ["文件共 4 页，仅读取了前 2 页的文字。"]


def test_concurrent_pdf_extraction_is_safe(text_pdf):
    results: list[Extracted] = []
    errors: list[BaseException] = []

    def work():
        try:
            results.append(extract(text_pdf, "pdf"))
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.text for r in results}) == 1


# --------------------------------------------------------------------------- errors and formats


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "ofd", "", "gif"])
def test_other_formats_give_an_empty_result(fmt):
    result = extract(b"whatever", fmt)
    assert result == Extracted(text="", pages=0, ocr_pages=0, qr_payloads=[], method="none")


@pytest.mark.parametrize(
    ("data", "fmt", "words"),
    [
        (b"%PDF-1.4\nthis is not really a pdf", "pdf", "PDF 文件已损坏"),
        (b"\x89PNG\r\n\x1a\nbroken", "png", "图片文件已损坏"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "JPEG", "图片文件已损坏"),
        (b"", "png", "文件为空"),
    ],
)
def test_unreadable_files_raise_extraction_error(data, fmt, words):
    with pytest.raises(ExtractionError) as info:
        extract(data, fmt)
    assert words in info.value.message
    assert str(info.value) == info.value.message


def test_missing_path_raises_extraction_error(tmp_path):
    with pytest.raises(ExtractionError, match="找不到文件"):
        extract(tmp_path / "missing.pdf", "pdf")


def test_a_pdf_path_is_read_page_by_page_not_loaded_whole(text_pdf, tmp_path, monkeypatch):
    expected = extract(text_pdf, "pdf")
    path = tmp_path / "材料.pdf"
    path.write_bytes(text_pdf)
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")

    def loads_everything(source):  # pragma: no cover - fails the test if reached
        raise AssertionError("a PDF on disk must be handed to PDFium by its path")

    monkeypatch.setattr(extract_module, "_read_all", loads_everything)
    result = extract(path, "pdf")
    assert (result.text, result.pages, result.method) == (
        expected.text,
        expected.pages,
        expected.method,
    )
    with pytest.raises(ExtractionError, match="文件为空"):
        extract(tmp_path / "empty.pdf", "pdf")
    with pytest.raises(ExtractionError, match="PDF 文件已损坏"):
        extract(str(tmp_path / "bad.pdf"), "pdf")


# --------------------------------------------------------------------------- text helpers


def test_normalise_text_unifies_width_and_spacing():
    raw = "发票号码：１２３４５６７８\r\n\r\n\r\n名\u3000\u3000称：河南（示例）公司 \t ¥１,１３０.００"
    assert normalise_text(raw) == "发票号码:12345678\n名 称:河南(示例)公司 ¥1,130.00"
    assert normalise_text("注册资本∶壹仟万元整") == "注册资本:壹仟万元整"
    assert normalise_text("") == ""


def _box(left, top, right, bottom):
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def test_ocr_boxes_are_joined_in_reading_order():
    results = [
        [_box(860, 480, 1200, 516), "注册资本壹仟万元整"],
        [_box(120, 590, 800, 627), "类型有限责任公司"],
        [_box(120, 478, 680, 518), "名称河南示例充电科技有限公司"],
        [_box(100, 300, 360, 340), "统一社会信用代码"],
    ]
    assert _join_lines(results) == (
        "统一社会信用代码\n名称河南示例充电科技有限公司 注册资本壹仟万元整\n类型有限责任公司"
    )


def test_vertical_labels_stay_on_their_own_line():
    results = [
        [_box(145, 330, 658, 363), "名称：甲公司"],
        [_box(77, 328, 116, 446), "购买方"],
        [_box(149, 378, 713, 414), "纳税人识别号：123"],
    ]
    assert _join_lines(results) == "购买方\n名称：甲公司\n纳税人识别号：123"


# --------------------------------------------------------------------------- engine


def test_ocr_engine_loads_bundled_models_and_reads_with_the_network_refused(monkeypatch):
    import os
    import socket

    params = extract_module.engine_params()
    for key, filename in extract_module.BUNDLED_MODELS.items():
        assert os.path.isfile(params[key]) and params[key].endswith(filename)

    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(extract_module, "_ocr_engine", None)  # a fresh engine, loaded now
    text = extract_module.ocr_image(samples.certificate_image())
    assert "电工进网作业许可证" in text.replace(" ", "")
    assert "41150220180123" in text


def test_ocr_blank_image_gives_no_text():
    from PIL import Image

    # RapidOCROutput.txts and .boxes are None when nothing is found
    assert extract_module.ocr_image(Image.new("RGB", (400, 300), "white")) == ""


def test_missing_model_file_is_an_extraction_error_not_a_download(monkeypatch):
    monkeypatch.setitem(extract_module.BUNDLED_MODELS, "Det.model_path", "absent.onnx")
    monkeypatch.setattr(extract_module, "_ocr_engine", None)
    with pytest.raises(ExtractionError, match="文字识别模型缺失"):
        extract_module.ocr_image(samples.certificate_image())
