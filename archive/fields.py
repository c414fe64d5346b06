"""Structured fields recognised in the text (and QR codes) of archived materials.

The recognisers take the output of :func:`archive.extract.extract` -- text from a PDF
text layer or from OCR, and decoded QR payloads -- and return a dict holding only the
fields they found, with normalised values (``Decimal`` amounts, ``date`` dates, codes
upper-case without spaces). :func:`compare` then sets what was recognised against what
the applicant declared, so a reviewer sees at a glance where they differ.

Recognition is a help for reviewers, not a verdict: OCR misreads, and layouts vary.
Every recogniser is defensive -- a field it is not sure of is left out rather than
guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from archive.extract import normalise_text
from cms import credit_code as uscc
from cms.chinese import DIGITS, NUMERAL_CHARS, chinese_to_int, date_text

# --------------------------------------------------------------------------- numerals

_CN_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]+")


_CN_AMOUNT = re.compile(
    f"^(?:人民币)?(?P<yuan>[{NUMERAL_CHARS}]*)(?:[元圆])?"
    f"(?:(?P<jiao>[{''.join(DIGITS)}])角)?"
    f"(?:(?P<fen>[{''.join(DIGITS)}])分)?[整正]?$"
)


def parse_chinese_amount(s: str) -> Decimal | None:
    """An amount in 元 written in capitals, e.g. "壹仟壹佰叁拾圆整" → Decimal("1130.00")."""
    s = re.sub(r"\s+", "", normalise_text(s or "")).removeprefix("¥")
    if not s:
        return None
    m = _CN_AMOUNT.match(s)
    if not m or not (m["yuan"] or m["jiao"] or m["fen"]):
        return None
    yuan = chinese_to_int(m["yuan"]) if m["yuan"] else 0
    if yuan is None:
        return None
    jiao = DIGITS[m["jiao"]] if m["jiao"] else 0
    fen = DIGITS[m["fen"]] if m["fen"] else 0
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100 + Decimal("0.00")


_ARABIC = re.compile(r"\d[\d,]*(?:\.\d+)?")


def parse_decimal(value: Any) -> Decimal | None:
    """A Decimal from 1130, "1,130.00", "¥1130.00" or "壹仟壹佰叁拾圆整"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = normalise_text(str(value)).replace(" ", "")
    m = _ARABIC.search(text)
    if m:
        try:
            return Decimal(m.group().replace(",", ""))
        except InvalidOperation:
            return None
    return parse_chinese_amount(text)


def parse_capital(value: str) -> Decimal | None:
    """Registered capital in 万元 from how licences write it.

    "壹仟万元整", "人民币壹仟万元", "伍佰万" → 1000, 1000, 500; "1,000万元", "1000万人民币",
    "1000(万元)" → 1000; "10000000元" → 1000; "1.5亿元" → 15000. A bare number is
    taken to be in 万元 already.
    """
    text = normalise_text(value or "").replace(" ", "")
    if not text:
        return None
    text = re.sub(r"\(?人民币\)?|\(?美元\)?", "", text)
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)(亿|万)?(元)?", text)
    if m:
        try:
            number = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            return None
        if m.group(2) == "亿":
            return number * 10000
        if m.group(2) == "万" or "万元" in text:
            return number
        if m.group(3):
            return number / 10000
        return number
    m = _CN_NUMERAL.search(text)
    if not m:
        return None
    yuan = chinese_to_int(m.group())
    if yuan is None:
        return None
    rest = text[m.end() :]
    if "万" in m.group() or "亿" in m.group() or rest.startswith(("元", "圆")):
        return Decimal(yuan) / 10000
    return Decimal(yuan)  # "注册资本(万元) 壹仟"


_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
)
_CN_DATE = re.compile(
    r"([零〇○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)


def parse_date(value: Any) -> date | None:
    """A date from a ``date``, "2020年05月18日", "2020-05-18", "20200518" or
    "二〇二〇年五月十八日"; ``None`` when there is none or it is impossible."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalise_text(str(value))
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    m = _CN_DATE.search(text)
    if m:
        parts = [chinese_to_int(g) for g in m.groups()]
        if all(p is not None for p in parts):
            try:
                return date(*parts)  # type: ignore[arg-type]
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------- helpers


def _label(word: str) -> str:
    """Regex for a printed label; forms space their characters out ("名    称")."""
    return r"\s*".join(re.escape(ch) for ch in word)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(_label(w) for w in sorted(words, key=len, reverse=True))


_CJK = re.compile(r"[\u3400-\u9fff]")
_TRAILING_JUNK = " :;,.，。;、|"


def _clean_name(value: str) -> str | None:
    """A name as printed: inner spaces dropped between Chinese characters."""
    value = value.strip(_TRAILING_JUNK)
    if not value:
        return None
    tokens = value.split()
    if len(tokens) > 1 and all(_CJK.search(t) for t in tokens):
        value = "".join(tokens)
    return value or None


_PERSON = re.compile(r"[\u3400-\u9fff·]{2,8}|[A-Za-z][A-Za-z .'-]{1,40}")


def _person_name(value: str) -> str | None:
    """A person's name at the start of a value: "张三", "张 三" (spaced out on the
    form), "欧阳小明", "JOHN SMITH"; what follows after a space is dropped."""
    value = value.strip(_TRAILING_JUNK)
    tokens = value.split()
    if not tokens:
        return None
    singles = [t for t in tokens[:4] if len(t) == 1 and _CJK.match(t)]
    if len(singles) >= 2 and tokens[: len(singles)] == singles:
        return "".join(singles)  # "张 三"
    m = _PERSON.match(tokens[0] if _CJK.match(tokens[0]) else value)
    return m.group().strip() if m else None


def _value_after(
    text: str,
    labels: Iterable[str],
    stops: Iterable[str],
    *,
    not_after: str = "",
    next_line: bool = True,
) -> list[str]:
    """Values printed after any of ``labels``: the rest of the line, cut at the next
    label in ``stops``; the following line when the label ends its line."""
    label_re = _alternatives(labels)
    if not_after:
        label_re = f"(?<![{not_after}])(?:{label_re})"
    pattern = re.compile(f"(?:{label_re})\\s*:?\\s*")
    stop_re = re.compile(f"\\s*(?:{_alternatives(stops)})") if stops else None
    lines = text.split("\n")
    found: list[str] = []
    for i, line in enumerate(lines):
        for m in pattern.finditer(line):
            rest = line[m.end() :]
            if stop_re is not None:
                cut = stop_re.search(rest)
                if cut:
                    rest = rest[: cut.start()]
            rest = rest.strip()
            if not rest and next_line and i + 1 < len(lines):
                rest = lines[i + 1]
                if stop_re is not None and (cut := stop_re.search(rest)):
                    rest = rest[: cut.start()]
                rest = rest.strip()
            if rest:
                found.append(rest)
    return found


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


# --------------------------------------------------------------------------- credit codes

# Letters USCCs never contain, and the digits OCR most likely misread as them.
_USCC_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5"})
_USCC_TOKEN = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z](?: ?[0-9A-Za-z]){17})(?![0-9A-Za-z])")


def repair_credit_code(token: str) -> str | None:
    """The valid USCC a token stands for, or ``None``.

    A token that fails validation is retried with the OCR confusions O→0, I→1, Z→2 and
    S→5 applied (USCCs never contain those letters); it is only accepted if that
    makes it valid.
    """
    compact = re.sub(r"\s+", "", token).upper()
    if len(compact) != 18:
        return None
    if uscc.is_valid(compact):
        return compact
    repaired = compact.translate(_USCC_CONFUSIONS)
    if repaired != compact and uscc.is_valid(repaired):
        return repaired
    return None


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def is_id_card_number(token: str) -> bool:
    """Whether an 18-character token is a well-formed resident ID number (GB 11643:
    17 digits with a birth date, then a mod-11 check character)."""
    token = token.upper()
    if not re.fullmatch(r"\d{17}[\dX]", token):
        return False
    try:
        date(int(token[6:10]), int(token[10:12]), int(token[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(token, _ID_WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == token[17]


def find_credit_codes(text: str, *, skip_id_numbers: bool = False) -> list[str]:
    """Every valid USCC in the text, in order, without duplicates.

    With ``skip_id_numbers``, tokens that are also well-formed ID card numbers are left
    out: 1 in 31 of them passes the USCC check by chance, so an unlabelled one on a
    certificate or form is more likely a person's ID number.
    """
    found: list[str] = []
    for m in _USCC_TOKEN.finditer(normalise_text(text)):
        code = repair_credit_code(m.group(1))
        if not code or code in found:
            continue
        if skip_id_numbers and is_id_card_number(code):
            continue
        found.append(code)
    return found


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

    labelled = _value_after(text, ["统一社会信用代码"], _LICENCE_LABELS)
    codes = [c for v in labelled for c in find_credit_codes(v)] or find_credit_codes(
        text, skip_id_numbers=True
    )
    if codes:
        found["credit_code"] = codes[0]

    name = _first(
        _value_after(
            text, ["名称", "企业名称"], _LICENCE_LABELS, not_after="目品物务", next_line=False
        )
    )
    if name and (name := _clean_name(name)):
        found["name"] = name

    for raw in _value_after(text, ["注册资本", "注册资金", "出资额"], _LICENCE_LABELS):
        capital = parse_capital(raw)
        if capital is not None:
            found["registered_capital"] = capital
            break

    rep = _first(
        _value_after(
            text,
            ["法定代表人", "负责人", "经营者", "执行事务合伙人", "投资人"],
            _LICENCE_LABELS,
            next_line=False,
        )
    )
    if rep and (rep := _person_name(rep)):
        found["legal_representative"] = rep

    for raw in _value_after(text, ["成立日期", "注册日期"], _LICENCE_LABELS):
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
    for m in re.finditer(f"{_label(label)}\\s*:?\\s*{_DIGITS_RUN}", text):
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
    name_re = re.compile(f"(?<![目品物务])(?:{_label('名称')})\\s*:?\\s*")
    stop_re = re.compile(f"\\s*(?:{_alternatives(_INVOICE_LABELS)})")
    party_re = re.compile(r"(购\s*买\s*方|购\s*方|销\s*售\s*方|销\s*方)")
    for line in text.split("\n"):
        for m in name_re.finditer(line):
            rest = line[m.end() :]
            if cut := stop_re.search(rest):
                rest = rest[: cut.start()]
            name = _clean_name(rest)
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
    for m in re.finditer(f"{_label('开票日期')}\\s*:?\\s*([^\\n]{{6,20}})", text):
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
            f"{_label('价税合计')}[^\\n]*?(?:大写\\)?)?\\s*:?\\s*([{NUMERAL_CHARS}元圆角分整正]{{2,}})",
            text,
        )
        if m:
            total = parse_chinese_amount(m.group(1))
    m = re.search(f"(?<!税)(?<!税 )(?:{_label('合计')})\\s*:?\\s*{_MONEY}", text)
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
        values = _value_after(
            text, [label], _CERTIFICATE_LABELS, not_after="号" if label == "编号" else ""
        )
        for raw in values:
            m = _CERT_NUMBER.match(raw.replace(" ", ""))
            if m:
                found["certificate_number"] = m.group(1).upper()
                break
        if "certificate_number" in found:
            break

    for raw in _value_after(text, ["姓名", "持证人"], _CERTIFICATE_LABELS, next_line=False):
        name = _person_name(raw)
        if name:
            found["holder_name"] = name
            break

    product = _first(_value_after(text, ["产品名称"], _CERTIFICATE_LABELS, next_line=False))
    if product and (product := _clean_name(product)):
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


# --------------------------------------------------------------------------- comparison

FIELD_LABELS: dict[str, str] = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "registered_capital": "注册资本（万元）",
    "legal_representative": "法定代表人",
    "registered_on": "成立日期",
    "invoice_code": "发票代码",
    "invoice_number": "发票号码",
    "issued_on": "开票日期",
    "amount": "发票金额",
    "amount_excl_tax": "不含税金额",
    "check_code": "校验码",
    "buyer_name": "购买方名称",
    "seller_name": "销售方名称",
    "certificate_number": "证书编号",
    "holder_name": "持证人姓名",
    "product_name": "产品名称",
}

# Names the declared data may use for a recognised field (model field names).
FIELD_ALIASES: dict[str, str] = {
    "invoice_amount": "amount",
    "company_name": "name",
    "enterprise_name": "name",
}

DECIMAL_FIELDS = frozenset({"registered_capital", "amount", "amount_excl_tax"})
DATE_FIELDS = frozenset({"registered_on", "issued_on"})
_CODE_FIELDS = frozenset(
    {"credit_code", "invoice_code", "invoice_number", "check_code", "certificate_number"}
)
_NAME_STRIP = re.compile(r"[\s()（）\[\]【】]")


@dataclass(frozen=True)
class Mismatch:
    """A field whose recognised value differs from the declared one."""

    field: str
    label_zh: str
    declared: Any
    recognised: Any

    @property
    def message(self) -> str:
        return (
            f"{self.label_zh}：申报为“{_display(self.declared)}”，"
            f"材料中识别为“{_display(self.recognised)}”，请核对。"
        )


def _display(value: Any) -> str:
    if isinstance(value, date):
        return date_text(value)
    return str(value)


def normalise_name(value: Any) -> str:
    """A name for comparison: NFKC, no spaces, no brackets of any width."""
    return _NAME_STRIP.sub("", unicodedata.normalize("NFKC", str(value)))


def normalise_code(value: Any) -> str:
    """A code for comparison: NFKC, upper case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(field: str, declared: Any, recognised: Any) -> bool:
    if field in DECIMAL_FIELDS:
        a, b = parse_decimal(declared), parse_decimal(recognised)
        if a is not None and b is not None:
            return a == b
    elif field in DATE_FIELDS:
        a, b = parse_date(declared), parse_date(recognised)
        if a is not None and b is not None:
            return a == b
    elif field in _CODE_FIELDS:
        a, b = normalise_code(declared), normalise_code(recognised)
        if field == "check_code" and len(a) != len(b):
            return a[-6:] == b[-6:]  # often only the last 6 digits are asked for
        return a == b
    return normalise_name(declared) == normalise_name(recognised)


def compare(recognised: dict[str, Any], declared: dict[str, Any]) -> list[Mismatch]:
    """Fields present (non-blank) in both dicts whose values differ, in the order of
    :data:`FIELD_LABELS`.

    Amounts compare as Decimals, dates as dates, codes upper-case without spaces, names
    after NFKC without spaces or brackets. A declared 发票金额 matches when it equals
    either the total (价税合计) or the amount before tax, as applicants state either.
    """
    declared = {FIELD_ALIASES.get(k, k): v for k, v in (declared or {}).items()}
    mismatches: list[Mismatch] = []
    for field, label in FIELD_LABELS.items():
        if field not in recognised or field not in declared:
            continue
        mine, theirs = recognised[field], declared[field]
        if _blank(mine) or _blank(theirs):
            continue
        if _same(field, theirs, mine):
            continue
        if (
            field == "amount"
            and not _blank(recognised.get("amount_excl_tax"))
            and _same(field, theirs, recognised["amount_excl_tax"])
        ):
            continue
        mismatches.append(Mismatch(field, label, theirs, mine))
    return mismatches
