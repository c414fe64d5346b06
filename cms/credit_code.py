"""统一社会信用代码 (unified social credit code) per GB 32100-2015, for every legal code.

One validator for the whole portal: account registration, ``create_applicant``, the
archive's field recognition and the demo all use it.

A code has 18 characters from the 31 of :data:`ALPHABET` (digits and capital letters
without I, O, S, V, Z):

* 1: registration authority (登记管理部门码): 1 机构编制, 2 外交, 3 司法行政, 4 文化,
  5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管 (工商), A 中央军委改革和编制办公室,
  N 农业农村 (农村集体经济组织), Y 其他;
* 2: organisation category (机构类别码) within that authority, a digit 1–9 (for example
  91 企业, 92 个体工商户, 93 农民专业合作社, N2 村级集体经济组织, Y1 其他);
* 3–8: administrative division (GB/T 2260), six digits;
* 9–17: the organisation's identification code (GB 11714), digits and letters;
* 18: check character: the first 17 characters' values (their index in
  :data:`ALPHABET`) times the weights 3^(i-1) mod 31, summed; 31 minus the sum mod 31,
  taken mod 31, is the index of the check character.

python-stdnum's ``stdnum.cn.uscc`` computes the same check character but refuses every
code whose first eight characters are not all digits, i.e. the codes of 农村集体经济组织
(N…), 军队 (A…) and other (Y…) registrations. This module accepts them.

Pure Python, no Django: ``archive.fields`` imports it in the OCR worker and benchmarks.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监督管理",
    "A": "中央军委改革和编制办公室",
    "N": "农业农村",
    "Y": "其他",
}
_SEPARATORS = re.compile(r"[\s\-]+")
_SHAPE = re.compile(f"[{''.join(AUTHORITIES)}][1-9][0-9]{{6}}[{ALPHABET}]{{9}}[{ALPHABET}]")


class CreditCodeError(ValueError):
    """Why a code is not a valid 统一社会信用代码; ``message`` is Chinese for users."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason  # "length" | "format" | "checksum"


def compact(value: str) -> str:
    """Upper case, NFKC (full-width characters become ASCII), no spaces or hyphens."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a code."""
    body = compact(first17)[:17]
    if len(body) != 17 or any(ch not in ALPHABET for ch in body):
        raise CreditCodeError("统一社会信用代码前 17 位应为数字或大写字母。", "format")
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make(first17: str) -> str:
    """A valid code from its first 17 characters (tests, demo, benchmarks)."""
    body = compact(first17)
    return body + check_character(body)


def validate(value: str) -> str:
    """The compact code, or :class:`CreditCodeError` saying what is wrong."""
    code = compact(value)
    if len(code) != 18:
        raise CreditCodeError(
            f"统一社会信用代码应为 18 位（现为 {len(code)} 位），请对照营业执照重新填写。",
            "length",
        )
    if not _SHAPE.fullmatch(code):
        bad = [ch for ch in code if ch not in ALPHABET]
        if bad:
            message = (
                f"统一社会信用代码不含字母 {'、'.join(dict.fromkeys(bad))}"
                "（不使用 I、O、S、V、Z），请逐位核对（常见错误：0 与 O、1 与 I）。"
            )
        elif code[0] not in AUTHORITIES:
            message = f"统一社会信用代码第 1 位“{code[0]}”不是登记管理部门代码，请核对。"
        else:
            message = "统一社会信用代码格式不正确：第 2 位为机构类别，第 3–8 位为行政区划数字。"
        raise CreditCodeError(message, "format")
    if code[17] != check_character(code):
        raise CreditCodeError(
            "统一社会信用代码校验位不正确，请对照营业执照逐位核对（常见错误：0 与 O、1 与 I）。",
            "checksum",
        )
    return code


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except CreditCodeError:
        return False
    return True
