"""Structured fields recognised in the text (and QR codes) of archived materials.

The recognisers take the output of :func:`archive.extract.extract` -- text from a PDF
text layer or from OCR, and decoded QR payloads -- and return a dict holding only the
fields they found, with normalised values (``Decimal`` amounts, ``date`` dates, codes
upper-case without spaces). :func:`compare` then sets what was recognised against what
the applicant declared, so a reviewer sees at a glance where they differ.

Recognition is a help for reviewers, not a verdict: OCR misreads, and layouts vary.
Every recogniser is defensive -- a field it is not sure of is left out rather than
guessed.

Layout: the recognisers per kind live here; the value parsers they share (numerals,
amounts, dates, credit codes) in :mod:`archive.values`; :func:`compare` and
:class:`Mismatch` in :mod:`archive.comparison`. The names of both are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from archive.comparison import FIELD_LABELS, Mismatch, compare, normalise_code, normalise_name
from archive.extract import normalise_text
from archive.values import (
    CN_NUMERAL_CHARS,
    alternatives_regex,
    chinese_to_int,
    clean_name,
    find_credit_codes,
    first_value,
    is_id_card_number,
    label_regex,
    parse_capital,
    parse_chinese_amount,
    parse_date,
    parse_decimal,
    person_name,
    repair_credit_code,
    value_after,
)

__all__ = [
    "FIELD_LABELS",
    "Mismatch",
    "certificate_fields",
    "chinese_to_int",
    "compare",
    "find_credit_codes",
    "invoice_fields",
    "is_id_card_number",
    "licence_fields",
    "normalise_code",
    "normalise_name",
    "parse_capital",
    "parse_chinese_amount",
    "parse_date",
    "parse_decimal",
    "parse_invoice_qr",
    "recognise",
    "repair_credit_code",
]

# --------------------------------------------------------------------------- licences

_LICENCE_LABELS = (
    "统一社会信用代码",
    "注册号",
    "名称",
    "类型",
    "法定代表人",
    "负责人",
    "经营者",
    "执行事务合伙人",
    "投资人",
    "注册资本",
    "注册资金",
    "出资额",
    "成立日期",
    "注册日期",
    "营业期限",
    "合伙期限",
    "住所",
    "经营场所",
    "主要经营场所",
    "经营范围",
    "组成形式",
    "登记机关",
    "身份证号",
    "证件号码",
)


def licence_fields(text: str) -> dict[str, Any]:
    """Fields of a 营业执照: credit_code, name, registered_capital (Decimal, 万元),
    legal_representative and registered_on (date)."""
    text = normalise_text(text)
    found: dict[str, Any] = {}

    labelled = value_after(text, ["统一社会信用代码"], _LICENCE_LABELS)
    codes = [c for v in labelled for c in find_credit_codes(v)] or find_credit_codes(
        text, skip_id_numbers=True
    )
    if codes:
        found["credit_code"] = codes[0]

    name = first_value(
        value_after(
            text, ["名称", "企业名称"], _LICENCE_LABELS, not_after="目品物务", next_line=False
        )
    )
    if name and (name := clean_name(name)):
        found["name"] = name

    for raw in value_after(text, ["注册资本", "注册资金", "出资额"], _LICENCE_LABELS):
        capital = parse_capital(raw)
        if capital is not None:
            found["registered_capital"] = capital
            break

    rep = first_value(
        value_after(
            text,
            ["法定代表人", "负责人", "经营者", "执行事务合伙人", "投资人"],
            _LICENCE_LABELS,
            next_line=False,
        )
    )
    if rep and (rep := person_name(rep)):
        found["legal_representative"] = rep

    for raw in value_after(text, ["成立日期", "注册日期"], _LICENCE_LABELS):
        day = parse_date(raw)
        if day:
            found["registered_on"] = day
            break
    return found


# --------------------------------------------------------------------------- invoices

INVOICE_QR_TYPES = {
    "01": "增值税专用发票",
    "04": "增值税普通发票",
    "08": "增值税电子专用发票",
    "10": "增值税电子普通发票",
    "11": "增值税普通发票（卷式）",
    "14": "增值税电子普通发票（通行费）",
    "31": "电子发票（增值税专用发票）",
    "32": "电子发票（普通发票）",
}

_INVOICE_LABELS = (
    "名称",
    "纳税人识别号",
    "统一社会信用代码/纳税人识别号",
    "地址、电话",
    "地址电话",
    "开户行及账号",
    "购买方",
    "销售方",
    "密码区",
)


def parse_invoice_qr(payload: str) -> dict[str, Any] | None:
    """The fields of a Chinese invoice QR code, or ``None`` for any other payload.

    Both layouts are comma-separated and start with the version ``01`` and a two-digit
    type; they differ in what the fields hold:

    * 增值税发票 (paper, e-invoice): ``01,<type 01/04/08/10/11/14>,<code: 10 or 12
      digits>,<number: 8 digits>,<amount before tax>,<YYYYMMDD>,<check code: 20 digits,
      empty on 专用发票>,<4 hex>``;
    * 数电票 (全面数字化的电子发票, 2023 on): ``01,<type 31/32/…>,,<number: 20 digits>,
      <价税合计, the total including tax>,<YYYYMMDD>,,<4 hex>`` -- no 发票代码 and no
      校验码 (both fields empty), and the amount is the total, not the amount before tax.
      Some issuers stop after the date.

    A 数电票 is told by its empty code and 20-digit number; the result then has
    ``digital=True``, no ``invoice_code`` and the QR amount as ``amount``.
    """
    parts = [p.strip() for p in normalise_text(payload or "").split(",")]
    if len(parts) < 6 or parts[0] != "01" or not re.fullmatch(r"\d{2}", parts[1]):
        return None
    kind, code, number, amount, issued = parts[1:6]
    check = parts[6] if len(parts) > 6 else ""
    digital = not code and re.fullmatch(r"\d{20}", number) is not None
    if not digital and not (
        re.fullmatch(r"\d{10}|\d{12}", code) and re.fullmatch(r"\d{8}", number)
    ):
        return None
    day = parse_date(issued) if re.fullmatch(r"\d{8}", issued) else None
    if day is None:
        return None
    result: dict[str, Any] = {"invoice_type": kind, "invoice_number": number, "issued_on": day}
    if digital:
        result["digital"] = True
    else:
        result["invoice_code"] = code
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite():
        result["amount" if digital else "amount_excl_tax"] = value
    if not digital and re.fullmatch(r"\d{20}|\d{6}", check):
        result["check_code"] = check
    return result


_DIGITS_RUN = r"(\d[\d ]*\d)"
_MONEY = r"[¥Y羊半]?\s*(\d[\d,]*\.\d{2})"


def _digits_after(text: str, label: str, lengths: tuple[int, ...]) -> str | None:
    for m in re.finditer(f"{label_regex(label)}\\s*:?\\s*{_DIGITS_RUN}", text):
        digits = m.group(1).replace(" ", "")
        for n in lengths:
            if len(digits) == n:
                return digits
        if len(digits) > max(lengths) and 20 in lengths and len(digits) >= 20:
            return digits[:20]
    return None


def _party_names(text: str) -> tuple[str | None, str | None]:
    """(buyer, seller) names of an invoice.

    A 名称 is the buyer's or the seller's by the nearest 购买方/销售方 label before it
    on its own line (the full-digital layout puts both parties on one row); otherwise
    by order -- the buyer is always printed first.
    """
    buyer = seller = None
    unassigned: list[str] = []
    name_re = re.compile(f"(?<![目品物务])(?:{label_regex('名称')})\\s*:?\\s*")
    stop_re = re.compile(f"\\s*(?:{alternatives_regex(_INVOICE_LABELS)})")
    party_re = re.compile(r"(购\s*买\s*方|购\s*方|销\s*售\s*方|销\s*方)")
    for line in text.split("\n"):
        for m in name_re.finditer(line):
            rest = line[m.end() :]
            if cut := stop_re.search(rest):
                rest = rest[: cut.start()]
            name = clean_name(rest)
            if not name:
                continue
            parties = party_re.findall(line[: m.start()])
            party = parties[-1].replace(" ", "") if parties else ""
            if party.startswith("购") and buyer is None:
                buyer = name
            elif party.startswith("销") and seller is None:
                seller = name
            else:
                unassigned.append(name)
    for name in unassigned:
        if buyer is None:
            buyer = name
        elif seller is None:
            seller = name
    return buyer, seller


def invoice_fields(text: str, qr_payloads: Iterable[str] = ()) -> dict[str, Any]:
    """Fields of a Chinese VAT invoice (paper, e-invoice or full-digital).

    Keys: invoice_code, invoice_number, issued_on (date), amount (Decimal: 价税合计 when
    printed, else the amount before tax), amount_excl_tax, check_code, buyer_name,
    seller_name, invoice_type (the QR's two-digit type). Values from the QR code win
    over OCR'd text.
    """
    text = normalise_text(text)
    found: dict[str, Any] = {}

    code = _digits_after(text, "发票代码", (12, 10))
    if code:
        found["invoice_code"] = code
    number = _digits_after(text, "发票号码", (20, 8))
    if number:
        found["invoice_number"] = number
    for m in re.finditer(f"{label_regex('开票日期')}\\s*:?\\s*([^\\n]{{6,20}})", text):
        day = parse_date(m.group(1))
        if day:
            found["issued_on"] = day
            break
    check = _digits_after(text, "校验码", (20,))
    if check:
        found["check_code"] = check

    total = None
    m = re.search(f"小\\s*写\\s*\\)?\\s*:?\\s*{_MONEY}", text)
    if m:
        total = Decimal(m.group(1).replace(",", ""))
    else:
        m = re.search(
            f"{label_regex('价税合计')}[^\\n]*?(?:大写\\)?)?\\s*:?\\s*([{CN_NUMERAL_CHARS}元圆角分整正]{{2,}})",
            text,
        )
        if m:
            total = parse_chinese_amount(m.group(1))
    m = re.search(f"(?<!税)(?<!税 )(?:{label_regex('合计')})\\s*:?\\s*{_MONEY}", text)
    if m:
        found["amount_excl_tax"] = Decimal(m.group(1).replace(",", ""))

    buyer, seller = _party_names(text)
    if buyer:
        found["buyer_name"] = buyer
    if seller:
        found["seller_name"] = seller

    if total is not None:
        found["amount"] = total

    for payload in qr_payloads or ():
        qr = parse_invoice_qr(payload)
        if qr is None:
            continue
        if qr.get("digital"):
            # 数电票: no 发票代码 or 校验码; the QR's amount is the total (价税合计)
            for key in ("invoice_code", "check_code"):
                found.pop(key, None)
        found.update(qr)
        break

    if "amount" not in found and "amount_excl_tax" in found:
        found["amount"] = found["amount_excl_tax"]
    if len(str(found.get("invoice_number", ""))) == 20 and "invoice_code" not in found:
        found["digital"] = True
    return found


# --------------------------------------------------------------------------- certificates

_CERTIFICATE_TYPES = (
    "电工进网作业许可证",
    "特种作业操作证",
    "电工证",
    "产品合格证",
    "合格证",
)
_CERTIFICATE_NUMBER_LABELS = (
    "证书编号",
    "许可证编号",
    "证件编号",
    "合格证编号",
    "出厂编号",
    "产品编号",
    "证号",
    "编号",
)
_CERTIFICATE_LABELS = (
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "许可类别",
    "作业类别",
    "准操项目",
    "有效期至",
    "有效期",
    "发证机关",
    "发证日期",
    "初领日期",
    "产品名称",
    "型号",
    "规格",
    "检验员",
    "出厂日期",
    "生产日期",
    *_CERTIFICATE_NUMBER_LABELS,
)
_PROVINCES = "京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川贵黔云滇陕秦甘陇青蒙桂藏宁新港澳台"
_CERT_NUMBER = re.compile(f"^(?:第\\s*)?([{_PROVINCES}]?[A-Za-z0-9][A-Za-z0-9\\-/]{{3,39}})")


def certificate_fields(text: str) -> dict[str, Any]:
    """Fields of an electrician certificate (电工进网作业许可证, 特种作业操作证) or a
    product certificate (合格证): certificate_number, holder_name, and when printed
    certificate_type and product_name."""
    text = normalise_text(text)
    found: dict[str, Any] = {}
    compact = text.replace(" ", "")
    for title in _CERTIFICATE_TYPES:
        if title in compact:
            found["certificate_type"] = title
            break

    for label in _CERTIFICATE_NUMBER_LABELS:  # most specific label first
        values = value_after(
            text, [label], _CERTIFICATE_LABELS, not_after="号" if label == "编号" else ""
        )
        for raw in values:
            m = _CERT_NUMBER.match(raw.replace(" ", ""))
            if m:
                found["certificate_number"] = m.group(1).upper()
                break
        if "certificate_number" in found:
            break

    for raw in value_after(text, ["姓名", "持证人"], _CERTIFICATE_LABELS, next_line=False):
        name = person_name(raw)
        if name:
            found["holder_name"] = name
            break

    product = first_value(value_after(text, ["产品名称"], _CERTIFICATE_LABELS, next_line=False))
    if product and (product := clean_name(product)):
        found["product_name"] = product
    return found


# --------------------------------------------------------------------------- dispatch


def recognise(kind: str, text: str, qr_payloads: Iterable[str] = ()) -> dict[str, Any]:
    """Fields for a material of the given archive kind (``MaterialRequirement.archive_kind``:
    licence, invoice, certificate; any other kind gives ``{}``)."""
    if kind == "licence":
        return licence_fields(text)
    if kind == "invoice":
        return invoice_fields(text, qr_payloads)
    if kind == "certificate":
        return certificate_fields(text)
    return {}
