"""Declared against recognised: which fields of a material differ from what the
applicant stated, with a Chinese message per field for the reviewer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from archive.values import parse_date, parse_decimal
from cms.chinese import date_text

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
