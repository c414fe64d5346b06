"""Values read from recognised text: Chinese numerals and amounts, decimals, dates,
names after a printed label, and 统一社会信用代码 / 身份证号 tokens.

Pure Python (no Django), shared by :mod:`archive.fields` (the recognisers) and
:mod:`archive.comparison` (declared against recognised values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from archive.extract import normalise_text
from cms import credit_code as uscc
from cms.chinese import DIGITS, NUMERAL_CHARS, chinese_to_int, find_date

# --------------------------------------------------------------------------- numerals

CN_NUMERAL_CHARS = NUMERAL_CHARS  # the name fields.py re-exports
_CN_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]+")


_CN_AMOUNT = re.compile(
    f"^(?:人民币)?(?P<yuan>[{CN_NUMERAL_CHARS}]*)(?:[元圆])?"
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


def parse_date(value: Any) -> date | None:
    """A date from a ``date``, "2020年05月18日", "2020-05-18", "20200518" or
    "二〇二〇年五月十八日"; ``None`` when there is none or it is impossible."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return find_date(normalise_text(str(value)))


# --------------------------------------------------------------------------- helpers


def label_regex(word: str) -> str:
    """Regex for a printed label; forms space their characters out ("名    称")."""
    return r"\s*".join(re.escape(ch) for ch in word)


def alternatives_regex(words: Iterable[str]) -> str:
    return "|".join(label_regex(w) for w in sorted(words, key=len, reverse=True))


_CJK = re.compile(r"[\u3400-\u9fff]")
_TRAILING_JUNK = " :;,.，。;、|"


def clean_name(value: str) -> str | None:
    """A name as printed: inner spaces dropped between Chinese characters."""
    value = value.strip(_TRAILING_JUNK)
    if not value:
        return None
    tokens = value.split()
    if len(tokens) > 1 and all(_CJK.search(t) for t in tokens):
        value = "".join(tokens)
    return value or None


_PERSON = re.compile(r"[\u3400-\u9fff·]{2,8}|[A-Za-z][A-Za-z .'-]{1,40}")


def person_name(value: str) -> str | None:
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


def value_after(
    text: str,
    labels: Iterable[str],
    stops: Iterable[str],
    *,
    not_after: str = "",
    next_line: bool = True,
) -> list[str]:
    """Values printed after any of ``labels``: the rest of the line, cut at the next
    label in ``stops``; the following line when the label ends its line."""
    label_re = alternatives_regex(labels)
    if not_after:
        label_re = f"(?<![{not_after}])(?:{label_re})"
    pattern = re.compile(f"(?:{label_re})\\s*:?\\s*")
    stop_re = re.compile(f"\\s*(?:{alternatives_regex(stops)})") if stops else None
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


def first_value(values: list[str]) -> str | None:
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
