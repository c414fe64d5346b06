"""Chinese text helpers shared by the importer, the search and the archive: numerals
both ways, Han characters, and dates read from and written as Chinese text.

Dates are read in one place: `parse_date` (the text is a date: a policy's date line)
and `find_date` (a date somewhere in the text: OCR of a licence) share the patterns and
the check that the date exists. (The search's tokenising and the archive's field
patterns stay in their apps; only what more than one app needs lives here.)
"""

import re
from datetime import date

# --------------------------------------------------------------------------- numerals

DIGITS = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1, "弌": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "叄": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "阡": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
NUMERAL_CHARS = "".join([*DIGITS, *SMALL_UNITS, *BIG_UNITS])

_LOWER = "一二三四五六七八九"


def chinese_to_int(s: str) -> int | None:
    """The integer a Chinese numeral writes, upper case (壹仟万) or lower case (一千万).

    Digits without units are read digit by digit ("二〇二〇" → 2020). Returns ``None``
    for an empty string or one with other characters.
    """
    s = (s or "").strip()
    if not s or any(ch not in NUMERAL_CHARS for ch in s):
        return None
    if all(ch in DIGITS for ch in s):
        return int("".join(str(DIGITS[ch]) for ch in s))
    total = section = number = 0
    for ch in s:
        if ch in DIGITS:
            number = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (number or 1) * SMALL_UNITS[ch]
            number = 0
        elif BIG_UNITS[ch] == 10**4:
            total += (section + number) * 10**4
            section = number = 0
        else:  # 亿 multiplies everything before it
            total = (total + section + number) * 10**8
            section = number = 0
    return total + section + number


def to_int(text: str) -> int | None:
    """Arabic ("2024") or Chinese ("二〇二四", "二十三") digits → int; None otherwise."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else chinese_to_int(text)


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (1–99, for headings such as "三、")."""
    if 1 <= n <= 9:
        return _LOWER[n - 1]
    if n < 20:
        return "十" + (_LOWER[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return _LOWER[tens - 1] + "十" + (_LOWER[ones - 1] if ones else "")


# --------------------------------------------------------------------------- characters

# CJK Unified Ideographs, Extension A and the compatibility ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(rf"[{HAN}]+")


def is_han(text: str) -> bool:
    """True when `text` (a character or a run) is all Han characters."""
    return bool(_HAN_RUN.fullmatch(text or ""))


# --------------------------------------------------------------------------- dates


def date_text(day: date, *, padded: bool = True) -> str:
    """2020年05月18日 (as printed on licences and invoices), or 2020年5月18日."""
    if padded:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    return f"{day.year}年{day.month}月{day.day}日"


# One core for reading dates: a pattern finds the year, month and day as written
# (Arabic digits or Chinese numerals), `_date_from` turns them into a real date or None.
_MONTH_DAY = rf"\d{{1,2}}|[{NUMERAL_CHARS}]{{1,3}}"
_WRITTEN = rf"\s*年\s*({_MONTH_DAY})\s*月\s*({_MONTH_DAY})\s*日?"
# Written dates: 2024年10月29日, 2024 年 5 月 8 日, 二〇二四年十月二十九日, 2024年十月29日
# (OCR may lose the 日); the year in Arabic digits, then in Chinese ones.
WRITTEN_DATES = (
    re.compile(rf"(\d{{4}}){_WRITTEN}"),
    re.compile(rf"([{''.join(DIGITS)}]{{4}}){_WRITTEN}"),
)
# Numeric dates: 2024-10-29, 2024/10/29, 2024.3.1 and 20241029 (licences, invoices).
NUMERIC_DATES = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
)
# Tried in this order by `find_date`: Arabic forms before Chinese numerals.
DATE_PATTERNS = (WRITTEN_DATES[0], *NUMERIC_DATES, WRITTEN_DATES[1])


def _date_from(match: re.Match) -> date | None:
    try:
        year, month, day = (to_int(part) for part in match.groups())
        return date(year, month, day)
    except (TypeError, ValueError):  # a numeral we cannot read, or 2月30日
        return None


def parse_date(text: str, patterns=DATE_PATTERNS) -> date | None:
    """The date `text` is, whole (surrounding spaces aside): "2025年3月1日",
    "二〇二五年三月一日", "2025-03-01", "2025.3.1"; None for anything else or an
    impossible date."""
    text = (text or "").strip()
    for pattern in patterns:
        if match := pattern.fullmatch(text):
            return _date_from(match)
    return None


def find_date(text: str, patterns=DATE_PATTERNS) -> date | None:
    """The first possible date written anywhere in `text` ("发证日期：2025年3月1日"),
    trying the patterns in order; None when there is none."""
    for pattern in patterns:
        for match in pattern.finditer(text or ""):
            if day := _date_from(match):
                return day
    return None
