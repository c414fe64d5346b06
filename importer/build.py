"""Create or update PolicyPage / GuidePage from a text document parsed by importer.parse.

``import_document(path, kind)`` is idempotent: the page is found again by its
``source_key`` (a hash of the kind and the document number, or the title when there is
none), so importing the same document twice updates one page instead of making two.
Every import saves a revision; ``publish=True`` publishes it, otherwise it stays a draft
(a live page keeps its published content until someone publishes the new revision).
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from cms.chinese import date_text
from guides.models import GuideIndexPage, GuidePage
from policies.models import (
    IssuingBody,
    PolicyIndexPage,
    PolicyIssuer,
    PolicyPage,
    normalize_document_number,
)

from . import parse as p

KINDS = {
    "policy": ("政策文件", PolicyPage, PolicyIndexPage, "政策汇编"),
    "guide": ("使用帮助", GuidePage, GuideIndexPage, "使用帮助"),
}


class ImporterError(Exception):
    """An import that cannot go ahead; the message is meant for the user (Chinese)."""


# --------------------------------------------------------------------------- inputs


def check_kind(kind: str) -> str:
    if kind != "auto" and kind not in KINDS:
        raise ImporterError(
            f"未知的文档类型“{kind}”，应为 policy（政策文件）、guide（使用帮助）或 auto（自动识别）。"
        )
    return kind


def detect_kind(text: str) -> str:
    """A document with a 发文字号 is a policy; anything else is a help guide."""
    return "policy" if p.parse_document(text).document_number else "guide"


def expand_paths(paths) -> list[Path]:
    """Files as given; a folder stands for the .txt files directly inside it."""
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.txt")) if path.is_dir() else [path])
    return files


def read_text(path) -> str:
    path = Path(path)
    if not path.exists():
        raise ImporterError(f"文件不存在：{path}")
    if not path.is_file():
        raise ImporterError(f"不是文件：{path}")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImporterError(
            f"文件不是 UTF-8 编码：{path}（第 {exc.start} 字节无法解码），请先转换为 UTF-8。"
        ) from exc


def make_source_key(kind: str, identity: str) -> str:
    identity = "".join(unicodedata.normalize("NFKC", identity).split())
    return hashlib.sha256(f"{kind}:{identity}".encode()).hexdigest()


def resolve_parent(kind: str, parent=None):
    """The index page to create under: a page, a slug, or the first index page."""
    label, _model, index_model, section = KINDS[kind]
    if parent is not None and not isinstance(parent, str):
        page = parent.specific
        if not isinstance(page, index_model):
            raise ImporterError(f"页面“{page.title}”不是“{section}”栏目页，不能在其下创建{label}。")
        return page
    pages = index_model.objects.order_by("path")
    if parent:
        page = pages.filter(slug=parent).first()
        if page is None:
            raise ImporterError(f"找不到别名（slug）为“{parent}”的“{section}”栏目页。")
        return page
    page = pages.first()
    if page is None:
        raise ImporterError(f"站点中还没有“{section}”栏目页，请先在管理后台创建，再导入{label}。")
    return page


# --------------------------------------------------------------------------- stream data


def _id() -> str:
    return str(uuid.uuid4())


def _block(block_type: str, value) -> dict:
    return {"type": block_type, "value": value, "id": _id()}


def _items(values) -> list[dict]:
    return [{"type": "item", "value": v, "id": _id()} for v in values]


def _p(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line.strip())


def _ol(items: list[str]) -> str:
    return "<ol>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ol>"


def _note_html(note: p.Note) -> str:
    html = _p(note.text) if note.text else ""
    return html + (_ol(note.items) if note.items else "")


def table_value(table: p.Table, caption: str = "") -> dict:
    """A parse.Table → TableBlock value, with merged cells as ``mergeCells``.

    The cells a merge covers are also listed as hidden in ``cell`` (what the Handsontable
    editor saves), so the table template renders rowspan/colspan without duplicates.
    """
    ncols = max(len(row) for row in table.rows)
    data = [row + [""] * (ncols - len(row)) for row in table.rows]
    merges, hidden = [], set()
    for m in table.merges:
        merges.append({"row": m.row, "col": m.col, "rowspan": m.rowspan, "colspan": m.colspan})
        for r in range(m.row, m.row + m.rowspan):
            for c in range(m.col, m.col + m.colspan):
                if (r, c) != (m.row, m.col):
                    hidden.add((r, c))
    return {
        "data": data,
        "cell": [{"row": r, "col": c, "hidden": True} for r, c in sorted(hidden)],
        "mergeCells": merges,
        "first_row_is_table_header": bool(table.header_rows),
        "first_col_is_header": False,
        "table_header_choice": "row" if table.header_rows else "neither",
        "table_caption": caption,
    }


_HEADING_LEVEL = {0: "2", 1: "2", 2: "3"}


def _policy_stream(blocks: list, caption: str = "", signature: bool = True) -> list[dict]:
    out = []
    for block in blocks:
        if isinstance(block, p.Heading):
            level = _HEADING_LEVEL.get(block.level, "4")
            out.append(_block("heading", {"text": block.label, "level": level, "anchor": ""}))
        elif isinstance(block, p.Paragraph):
            out.append(_block("paragraph", _p(block.text)))
        elif isinstance(block, p.Item):
            out.append(_block("paragraph", _p(block.marker + block.text)))
        elif isinstance(block, p.Note):
            label = f"<p><b>{escape(block.label or '注')}：</b></p>"
            out.append(_block("paragraph", label + _note_html(block)))
        elif isinstance(block, p.Table):
            out.append(_block("table", table_value(block, caption)))
        elif isinstance(block, p.Signature):
            if signature:
                date = block.date.isoformat() if block.date else None
                out.append(_block("signature", {"bodies": block.bodies, "date": date}))
            else:
                d = block.date
                lines = [*block.bodies, date_text(d, padded=False) if d else ""]
                out.append(_block("paragraph", _p("\n".join(lines))))
    return out


def _step_value(step: p.Step) -> dict:
    return {
        "text": _p(step.text or (step.notes[0].text if step.notes else "")),
        "menu_path": step.menu_path,
        "fields": _items(
            {"name": f.name, "required": f.required, "hint": f.hint} for f in step.fields
        ),
        "formats": _items(step.formats),
        "notes": _items({"kind": n.kind, "text": _note_html(n)} for n in step.notes),
        "review_time": _items(
            [{"working_days": step.review_time.working_days, "remark": step.review_time.remark}]
            if step.review_time
            else []
        ),
    }


def _guide_stream(content: list) -> list[dict]:
    out = []
    for node in content:
        if isinstance(node, p.GuideSection):
            value = {"title": node.title, "anchor": "", "content": _guide_stream(node.content)}
            out.append(_block("subsection", value))
        elif isinstance(node, p.StepList):
            out.append(_block("steps", _items(_step_value(s) for s in node.steps)))
        elif isinstance(node, p.ItemList):
            out.append(_block("paragraph", _ol(node.items)))
        elif isinstance(node, p.Paragraph):
            out.append(_block("paragraph", _p(node.text)))
        elif isinstance(node, p.Note):
            out.append(_block("note", {"kind": node.kind, "text": _note_html(node)}))
        elif isinstance(node, p.ReviewTime):
            value = {"working_days": node.working_days, "remark": node.remark}
            out.append(_block("review_time", value))
        elif isinstance(node, p.Table):
            rows = ["　".join(c for c in row if c) for row in node.rows]
            out.append(_block("paragraph", _p("\n".join(rows))))
    return out


# --------------------------------------------------------------------------- pages


def _fill_policy(page: PolicyPage, doc: p.Document) -> None:
    page.title = doc.title
    page.document_number = normalize_document_number(doc.document_number)
    page.written_date = doc.written_date
    page.body = _policy_stream(doc.body)
    page.attachments = [
        _block(
            "attachment",
            {
                "title": a.title or f"附件{a.number}",
                "content": _policy_stream(a.blocks, caption=a.title, signature=False),
            },
        )
        for a in doc.attachments
    ]
    bodies = [IssuingBody.objects.get_or_create(name=name)[0] for name in doc.issuers]
    page.issuers = [PolicyIssuer(body=body, sort_order=i) for i, body in enumerate(bodies)]


def _fill_guide(page: GuidePage, guide: p.Guide) -> None:
    page.title = guide.title
    page.intro = _p("\n".join(guide.intro))
    page.sections = [
        _block(
            "section",
            {"title": s.title, "anchor": "", "content": _guide_stream(s.content)},
        )
        for s in guide.sections
    ]


def _policy_slug(parent, document_number: str) -> str:
    """信电〔2024〕141号 → 信电-2024-141 (unique among the parent's children)."""
    match = p.DOCUMENT_NUMBER_RE.match(document_number)
    if not match:
        return ""  # Wagtail derives one from the title
    base = slugify("-".join(match.groups()), allow_unicode=True)
    slug, n = base, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        parts = [f"{name}：{'；'.join(msgs)}" for name, msgs in exc.message_dict.items()]
    else:
        parts = list(exc.messages)
    return "页面内容未通过校验：" + "；".join(parts)


def import_text(text: str, kind: str, parent=None, publish: bool = False, user=None):
    """Import already-decoded text; see ``import_document``."""
    check_kind(kind)
    if kind == "auto":
        kind = detect_kind(text)
    label, model, _index, _section = KINDS[kind]
    if kind == "policy":
        doc = p.parse_document(text)
        identity = normalize_document_number(doc.document_number) or doc.title
    else:
        doc = p.parse_guide(text)
        identity = doc.title
    if not doc.title:
        raise ImporterError(f"无法从文本中识别{label}的标题。")
    key = make_source_key(kind, identity)

    try:
        with transaction.atomic():
            existing = model.objects.filter(source_key=key).order_by("pk").first()
            if existing is None or parent is not None:
                parent_page = resolve_parent(kind, parent)  # also checks a given --parent
            if existing is None:
                page = model(source_key=key, live=False)
            else:
                page = existing.get_latest_revision_as_object()
            if kind == "policy":
                _fill_policy(page, doc)
            else:
                _fill_guide(page, doc)
            if existing is None:
                if kind == "policy":
                    page.slug = _policy_slug(parent_page, page.document_number)
                parent_page.add_child(instance=page)  # saves, running full_clean()
            else:
                page.full_clean()
            revision = page.save_revision(user=user, log_action=True)
            if publish:
                revision.publish(user=user)
    except ValidationError as exc:
        raise ImporterError(_validation_message(exc)) from exc
    return model.objects.get(pk=page.pk), existing is None


def import_document(path, kind: str, parent=None, publish: bool = False, user=None):
    """Create or update the page for the document at ``path``.

    kind: "policy" (PolicyPage), "guide" (GuidePage) or "auto". parent: an index page or its
    slug; by default the first PolicyIndexPage / GuideIndexPage. Returns (page, created).
    Raises ImporterError with a Chinese message when the import cannot go ahead.
    """
    check_kind(kind)
    return import_text(read_text(path), kind, parent=parent, publish=publish, user=user)
