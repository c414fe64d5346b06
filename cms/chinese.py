"""Chinese text helpers shared by the importer, the search and the archive: numerals
both ways, Han characters, and dates as Chinese text.

(The search's tokenising and the archive's field patterns stay in their apps; only
what more than one app needs lives here.)
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
