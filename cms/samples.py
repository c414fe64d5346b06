"""Realistic archive material drawn by our own code: 营业执照, 增值税电子普通发票 (old
layout with 发票代码), 数电票 (全面数字化的电子发票, 20-digit number, no code),
电工进网作业许可证, scans saved as image-only PDFs and hand-written PDFs with a text layer.

Used by the demo loader (``applications.demo``), the archive tests and the OCR
benchmarks, so every generator takes the values it prints and returns a Pillow image;
the module constants describe the default sample. Everything is drawn with Pillow and
the Noto CJK fonts (``fonts-noto-cjk``), QR codes with segno -- no binary fixtures.
``family`` picks the face of the body text: ``"sans"`` (Noto Sans CJK) or ``"serif"``
(Noto Serif CJK).
"""

from __future__ import annotations

import io
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from cms import credit_code as uscc
from cms.chinese import date_text

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SANS = FONT_DIR / "NotoSansCJK-Regular.ttc"
SANS_BOLD = FONT_DIR / "NotoSansCJK-Bold.ttc"
SERIF = FONT_DIR / "NotoSerifCJK-Regular.ttc"
SERIF_BOLD = FONT_DIR / "NotoSerifCJK-Bold.ttc"
FAMILIES = {"sans": SANS, "serif": SERIF}

INK = (20, 20, 20)
PAPER = (250, 247, 238)


def fonts_available() -> bool:
    return SANS.exists() and SERIF.exists()


_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(path: Path | str, size: int) -> ImageFont.FreeTypeFont:
    """A font by path or by family name ("sans", "serif"), cached."""
    path = FAMILIES.get(str(path), Path(path))
    if not path.exists():  # bold faces are optional
        path = SANS if "Sans" in path.name else SERIF
    key = (str(path), size)
    if key not in _FONTS:
        _FONTS[key] = ImageFont.truetype(str(path), size)
    return _FONTS[key]


def make_credit_code(body17: str) -> str:
    """A valid 18-character 统一社会信用代码 for the given first 17 characters."""
    return uscc.make(body17)


_CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ["", "拾", "佰", "仟"]


def capital_amount(amount: Decimal) -> str:
    """An amount in 元 as invoices print it in capitals: 1130 → 壹仟壹佰叁拾圆整,
    2260.50 → 贰仟贰佰陆拾圆伍角."""
    cents = int((Decimal(amount) * 100).to_integral_value())
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10

    def section(n: int) -> str:
        out, zero = "", False
        for i in range(3, -1, -1):
            digit = n // 10**i % 10
            if digit:
                if zero and out:
                    out += "零"
                out += _CN_DIGITS[digit] + _CN_UNITS[i]
                zero = False
            else:
                zero = True
        return out

    words = ""
    if yuan >= 10000:
        words = section(yuan // 10000) + "万"
        rest = yuan % 10000
        if rest and rest < 1000:
            words += "零"
        words += section(rest)
    elif yuan:
        words = section(yuan)
    words = (words or "零") + "圆"
    if not jiao and not fen:
        return words + "整"
    if jiao:
        words += _CN_DIGITS[jiao] + "角"
    elif fen:
        words += "零"
    if fen:
        words += _CN_DIGITS[fen] + "分"
    return words


# Contains 0 and 1 so tests can swap them for the letters O and I that OCR confuses.
LICENCE_CREDIT_CODE = make_credit_code("91411500MA40H1R0X")
LICENCE = {
    "credit_code": LICENCE_CREDIT_CODE,
    "name": "河南示例充电科技有限公司",
    "registered_capital": Decimal("1000"),
    "legal_representative": "张三",
    "registered_on": date(2020, 5, 18),
}


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _qr_image(payload: str, scale: int = 5) -> Image.Image:
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def _labelled(draw, xy, label, value, font, *, gap=28):
    """Draw "label  value" the way licences print them (label spaced apart)."""
    x, y = xy
    draw.text((x, y), label, font=font, fill=INK)
    width = draw.textlength(label, font=font)
    draw.text((x + width + gap, y), value, font=font, fill=INK)


# --------------------------------------------------------------------------- licence


def _date_text(day: date) -> str:
    return date_text(day)


def licence_image(
    credit_code: str = LICENCE_CREDIT_CODE,
    *,
    name: str = LICENCE["name"],
    legal_representative: str = LICENCE["legal_representative"],
    capital: str = "壹仟万元整",
    registered_on: date = LICENCE["registered_on"],
    address: str = "河南省信阳市浉河区示例路88号",
    company_type: str = "有限责任公司（自然人投资或控股）",
    family: str = "serif",
) -> Image.Image:
    """A 1600×1100 business licence in the layout of the 2019 national template."""
    img = Image.new("RGB", (1600, 1100), PAPER)
    draw = ImageDraw.Draw(img)
    # decorative double border
    draw.rectangle((24, 24, 1575, 1075), outline=(170, 120, 60), width=6)
    draw.rectangle((40, 40, 1559, 1059), outline=(170, 120, 60), width=2)

    title = _font(SERIF_BOLD, 96)
    text = _font(family, 36)
    small = _font(SANS, 32)

    draw.text((800, 150), "营 业 执 照", font=title, fill=INK, anchor="mm")
    draw.text((800, 240), "（副      本）", font=text, fill=INK, anchor="mm")
    draw.text((100, 300), "统一社会信用代码", font=small, fill=INK)
    draw.text((100, 345), credit_code, font=small, fill=INK)

    left, right = 120, 860
    day = _date_text(registered_on)
    rows = [
        (("名    称", name), ("注册资本", capital)),
        (("类    型", company_type), ("成立日期", day)),
        (("法定代表人", legal_representative), ("营业期限", "长期")),
        (("经营范围", "电动汽车充电基础设施运营"), ("住    所", address)),
    ]
    y = 470
    for (l_label, l_value), (r_label, r_value) in rows:
        _labelled(draw, (left, y), l_label, l_value, text)
        _labelled(draw, (right, y), r_label, r_value, text)
        y += 110
    draw.text((1100, 960), "登记机关", font=text, fill=INK)
    draw.text((1100, 1005), day, font=small, fill=INK)
    return img


def licence_png(credit_code: str = LICENCE_CREDIT_CODE) -> bytes:
    return _png(licence_image(credit_code))


def image_only_pdf(img: Image.Image) -> bytes:
    """A scanned document: one PDF page holding only an image, no text layer."""
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=200.0)
    return buf.getvalue()


# --------------------------------------------------------------------------- invoice

INVOICE_QR = "01,10,044031900111,12345678,1000.00,20260315,12345678901234567890,A1B2"
# 数电票: no code, 20-digit number, the total (价税合计) as amount, no check code
DIGITAL_INVOICE_QR = "01,32,,26412000000012345678,2260.00,20260401,,C3D4"
INVOICE = {
    "invoice_code": "044031900111",
    "invoice_number": "12345678",
    "issued_on": date(2026, 3, 15),
    "amount": Decimal("1130.00"),
    "amount_excl_tax": Decimal("1000.00"),
    "check_code": "12345678901234567890",
    "buyer_name": "河南示例充电科技有限公司",
    "seller_name": "信阳市示例电气设备有限公司",
}
DIGITAL_INVOICE = {
    "invoice_number": "26412000000012345678",
    "issued_on": date(2026, 4, 1),
    "amount": Decimal("2260.00"),
    "amount_excl_tax": Decimal("2000.00"),
    "buyer_name": "河南示例充电科技有限公司",
    "seller_name": "信阳市示例电气设备有限公司",
}
SELLER_CREDIT_CODE = make_credit_code("91411502MA45XY7K2")
BROWN = (150, 90, 40)


def invoice_qr(invoice: dict) -> str:
    """The QR payload printed on an invoice with these values (old layout with a code,
    or the 数电票 layout when there is none)."""
    day = invoice["issued_on"].strftime("%Y%m%d")
    if not invoice.get("invoice_code"):
        return f"01,32,,{invoice['invoice_number']},{invoice['amount']:.2f},{day},,C3D4"
    return (
        f"01,10,{invoice['invoice_code']},{invoice['invoice_number']},"
        f"{invoice['amount_excl_tax']:.2f},{day},{invoice.get('check_code', '')},A1B2"
    )


def _item_rows(draw, invoice, text, y, item):
    excl, total = invoice["amount_excl_tax"], invoice["amount"]
    draw.text((100, y), "项目名称", font=text, fill=BROWN)
    draw.text((700, y), "金额", font=text, fill=BROWN)
    draw.text((1000, y), "税率", font=text, fill=BROWN)
    draw.text((1300, y), "税额", font=text, fill=BROWN)
    draw.text((100, y + 60), item, font=text, fill=INK)
    draw.text((700, y + 60), f"{excl:.2f}", font=text, fill=INK)
    draw.text((1000, y + 60), "13%", font=text, fill=INK)
    draw.text((1300, y + 60), f"{total - excl:.2f}", font=text, fill=INK)
    draw.text((100, y + 140), "合    计", font=text, fill=BROWN)
    draw.text((700, y + 140), f"¥{excl:.2f}", font=text, fill=INK)
    draw.text((1300, y + 140), f"¥{total - excl:.2f}", font=text, fill=INK)


def invoice_image(
    qr_payload: str | None = INVOICE_QR,
    *,
    invoice: dict | None = None,
    item: str = "*充电设备*直流充电桩",
    family: str = "sans",
) -> Image.Image:
    """An 增值税电子普通发票 at about 150 dpi, with its QR code top left."""
    invoice = {**INVOICE, **(invoice or {})}
    if qr_payload is None:
        qr_payload = invoice_qr(invoice)
    img = Image.new("RGB", (1800, 1100), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    title = _font(SERIF_BOLD, 60)
    text = _font(family, 32)

    img.paste(_qr_image(qr_payload, scale=5), (60, 50))
    draw.text((760, 150), "河南增值税电子普通发票", font=title, fill=BROWN, anchor="mm")
    check = invoice.get("check_code", "")
    fields = [
        ("发票代码：", invoice["invoice_code"]),
        ("发票号码：", invoice["invoice_number"]),
        ("开票日期：", _date_text(invoice["issued_on"])),
        ("校 验 码：", " ".join(check[i : i + 5] for i in range(0, len(check), 5))),
    ]
    y = 60
    for label, value in fields:
        draw.text((1230, y), label + value, font=text, fill=INK)
        y += 50

    draw.rectangle((60, 300, 1740, 1000), outline=BROWN, width=3)
    # buyer block; the party label is printed vertically like the real form
    for i, ch in enumerate("购买方"):
        draw.text((80, 320 + i * 40), ch, font=text, fill=BROWN)
    draw.text((150, 320), "名    称：" + invoice["buyer_name"], font=text, fill=INK)
    draw.text(
        (150, 370),
        "纳税人识别号：" + invoice.get("buyer_code", LICENCE_CREDIT_CODE),
        font=text,
        fill=INK,
    )
    draw.line((60, 450, 1740, 450), fill=BROWN, width=2)
    _item_rows(draw, invoice, text, 480, item)
    draw.line((60, 680, 1740, 680), fill=BROWN, width=2)
    draw.text((100, 710), "价税合计（大写）", font=text, fill=BROWN)
    draw.text((420, 710), capital_amount(invoice["amount"]), font=text, fill=INK)
    draw.text((1100, 710), f"（小写）¥{invoice['amount']:.2f}", font=text, fill=INK)
    draw.line((60, 780, 1740, 780), fill=BROWN, width=2)

    for i, ch in enumerate("销售方"):
        draw.text((80, 800 + i * 40), ch, font=text, fill=BROWN)
    draw.text((150, 800), "名    称：" + invoice["seller_name"], font=text, fill=INK)
    draw.text((150, 850), "纳税人识别号：" + SELLER_CREDIT_CODE, font=text, fill=INK)
    draw.text((150, 1030), "收款人：李四      复核：王五      开票人：赵六", font=text, fill=INK)
    return img


def invoice_png(qr_payload: str = INVOICE_QR) -> bytes:
    return _png(invoice_image(qr_payload))


def digital_invoice_image(
    qr_payload: str | None = None,
    *,
    invoice: dict | None = None,
    item: str = "*充电设备*交流充电桩",
    family: str = "sans",
) -> Image.Image:
    """A 数电票 (电子发票（普通发票）): 20-digit number, no 发票代码 or 校验码, both
    parties side by side, QR code top left."""
    invoice = {**DIGITAL_INVOICE, **(invoice or {})}
    if qr_payload is None:
        qr_payload = invoice_qr({**invoice, "invoice_code": ""})
    img = Image.new("RGB", (1800, 1100), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    title = _font(SERIF_BOLD, 56)
    text = _font(family, 30)

    img.paste(_qr_image(qr_payload, scale=4), (60, 50))
    draw.text((880, 120), "电子发票（普通发票）", font=title, fill=BROWN, anchor="mm")
    draw.line((640, 165, 1120, 165), fill=BROWN, width=3)
    draw.text((1230, 80), "发票号码：" + invoice["invoice_number"], font=text, fill=INK)
    draw.text((1230, 130), "开票日期：" + _date_text(invoice["issued_on"]), font=text, fill=INK)

    draw.rectangle((60, 260, 1740, 1000), outline=BROWN, width=3)
    draw.line((900, 260, 900, 480), fill=BROWN, width=2)
    for x, party, name, code in (
        (80, "购买方信息", invoice["buyer_name"], invoice.get("buyer_code", LICENCE_CREDIT_CODE)),
        (920, "销售方信息", invoice["seller_name"], SELLER_CREDIT_CODE),
    ):
        draw.text((x, 280), party, font=text, fill=BROWN)
        draw.text((x, 325), "名称：" + name, font=text, fill=INK)
        draw.text((x, 370), "统一社会信用代码/纳税人识别号：", font=text, fill=INK)
        draw.text((x, 410 + 20), code, font=text, fill=INK)
    draw.line((60, 480, 1740, 480), fill=BROWN, width=2)
    _item_rows(draw, invoice, text, 500, item)
    draw.line((60, 720, 1740, 720), fill=BROWN, width=2)
    draw.text((100, 750), "价税合计（大写）", font=text, fill=BROWN)
    draw.text((400, 750), "⊗" + capital_amount(invoice["amount"]), font=text, fill=INK)
    draw.text((1100, 750), f"（小写）¥{invoice['amount']:.2f}", font=text, fill=INK)
    draw.line((60, 820, 1740, 820), fill=BROWN, width=2)
    draw.text((100, 850), "备注", font=text, fill=BROWN)
    draw.text((100, 1030), "开票人：赵六", font=text, fill=INK)
    return img


# --------------------------------------------------------------------------- certificate

CERTIFICATE = {
    "certificate_number": "41150220180123",
    "holder_name": "李明",
}


def certificate_image(
    *,
    number: str = CERTIFICATE["certificate_number"],
    holder: str = CERTIFICATE["holder_name"],
    valid_until: date = date(2027, 6, 30),
    family: str = "sans",
) -> Image.Image:
    """The inside page of a 电工进网作业许可证 (1200×800)."""
    img = Image.new("RGB", (1200, 800), (236, 244, 250))
    draw = ImageDraw.Draw(img)
    title = _font(SERIF_BOLD, 56)
    text = _font(family, 34)
    draw.text((600, 90), "电工进网作业许可证", font=title, fill=INK, anchor="mm")
    draw.rectangle((80, 190, 330, 500), outline=INK, width=2)  # photo box
    draw.text((205, 345), "照片", font=text, fill=(120, 120, 120), anchor="mm")
    rows = [
        ("姓    名：", holder),
        ("性    别：", "男"),
        ("许可类别：", "低压"),
        ("编    号：", number),
        ("有效期至：", _date_text(valid_until)),
    ]
    y = 200
    for label, value in rows:
        draw.text((400, y), label + value, font=text, fill=INK)
        y += 70
    draw.text((400, 620), "发证机关：国家能源局河南监管办公室", font=text, fill=INK)
    return img


def certificate_png() -> bytes:
    return _png(certificate_image())


# --------------------------------------------------------------------------- text PDF


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(
    pages: list[list[str]],
    *,
    qr_payload: str | None = None,
    image_pages: dict[int, Image.Image] | None = None,
) -> bytes:
    """A PDF written by hand with a real text layer (Helvetica for ASCII lines,
    STSong-Light for lines with Chinese).

    ``pages`` holds the text lines of each page; ``qr_payload`` adds a QR code image to
    the first page; ``image_pages`` maps a page index to an image that fills that page
    instead of text (a scanned page inside an otherwise digital PDF).
    """
    image_pages = image_pages or {}
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def image_object(img: Image.Image) -> int:
        gray = img.convert("L")
        data = zlib.compress(gray.tobytes())
        head = (
            f"<< /Type /XObject /Subtype /Image /Width {gray.width} /Height {gray.height} "
            f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
            f"/Length {len(data)} >>\nstream\n"
        ).encode()
        return add(head + data + b"\nendstream")

    catalog = add(b"")  # placeholders, filled in below
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    # Chinese lines: the PDF standard CJK font STSong-Light (not embedded) addressed in
    # UCS-2 through the predefined CMap UniGB-UCS2-H, as many government PDFs do.
    cjk_descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >> >>"
    )
    cjk_font = add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        f"/DescendantFonts [{cjk_descendant} 0 R] >>".encode()
    )
    page_ids = []
    width, height = 595, 842  # A4 in points
    for index, lines in enumerate(pages):
        xobjects = {}
        ops = []
        page_width, page_height = width, height
        if index in image_pages:
            # a small page the size of the image at 300 dpi (like a scanned card)
            img = image_pages[index]
            xobjects["Im0"] = image_object(img)
            page_width, page_height = img.width * 72 / 300, img.height * 72 / 300
            ops.append(f"q {page_width:.2f} 0 0 {page_height:.2f} 0 0 cm /Im0 Do Q")
        else:
            if index == 0 and qr_payload:
                xobjects["Qr0"] = image_object(_qr_image(qr_payload, scale=4))
                ops.append(f"q 110 0 0 110 40 {height - 150} cm /Qr0 Do Q")
            ops.append("BT /F1 14 Tf 180 780 Td 18 TL")
            for line in lines:
                if line.isascii():
                    ops.append(f"/F1 14 Tf ({_pdf_escape(line)}) Tj T*")
                else:
                    ops.append(f"/F2 14 Tf <{line.encode('utf-16-be').hex().upper()}> Tj T*")
            ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        xobj = " ".join(f"/{name} {num} 0 R" for name, num in xobjects.items())
        page = add(
            (
                f"<< /Type /Page /Parent {pages_obj} 0 R "
                f"/MediaBox [0 0 {page_width:.2f} {page_height:.2f}] "
                f"/Resources << /Font << /F1 {font} 0 R /F2 {cjk_font} 0 R >> /XObject << {xobj} >> >> "
                f"/Contents {content} 0 R >>"
            ).encode()
        )
        page_ids.append(page)
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects[pages_obj - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


TEXT_PDF_LINES = [
    "Electronic invoice (test copy)",
    "Invoice code: 044031900111",
    "Invoice number: 12345678",
    "Issued: 2026-03-15",
    "Total: 1130.00",
]
