"""The file formats a material requirement may accept: canonical tokens, their labels,
and the parsing of "jpg、png"-style lists written in the catalogue.

The catalogue states which formats a material takes; `applications.uploads` recognises
a file's real format from its bytes with the same tokens.
"""

import re
from collections.abc import Iterable

# Canonical format tokens, in the order they are listed to applicants.
FORMAT_LABELS: dict[str, str] = {
    "jpg": "JPG 图片",
    "png": "PNG 图片",
    "pdf": "PDF 文档",
    "ofd": "OFD 版式文件",
    "xlsx": "Excel 表格（xlsx）",
    "docx": "Word 文档（docx）",
}

FORMAT_ALIASES: dict[str, str] = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg"}

_SPLIT_FORMATS = re.compile(r"[\s、,，;；/|]+")


def normalise_formats(formats: Iterable[str] | str) -> list[str]:
    """Canonical, de-duplicated format tokens in the given order.

    Accepts "jpg、png", "jpg,png", ".PDF", "*.jpg", ["JPG", "jpeg"] and so on.
    An unknown token raises ``ValueError``: it is a configuration mistake, not something
    the applicant can fix.
    """
    if formats is None:
        return []
    raw = [formats] if isinstance(formats, str) else list(formats)
    result: list[str] = []
    for item in raw:
        for token in _SPLIT_FORMATS.split(str(item)):
            token = token.strip().lstrip("*").lstrip(".").lower()
            if not token:
                continue
            token = FORMAT_ALIASES.get(token, token)
            if token not in FORMAT_LABELS:
                supported = "、".join(FORMAT_LABELS)
                raise ValueError(f"不支持的材料格式“{token}”，可用的格式：{supported}")
            if token not in result:
                result.append(token)
    return result


def describe_formats(formats: Iterable[str] | str) -> str:
    """A "jpg、png" style list for Chinese UI text."""
    return "、".join(normalise_formats(formats))
