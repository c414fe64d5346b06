"""Turn UTF-8 text extracted from PDFs into a document tree.

Pure Python (no Django), so it can be tested and reused on its own. The input is what a
PDF text extractor gives for Chinese government documents and help guides:

* paragraphs wrapped at the page width, sometimes with page-break blank lines in the
  middle of a sentence;
* a heading (or title) split across two lines;
* numbering markers: 一、 / （一） or (一) / 1. / （1） / ①;
* notes （注：…） and 注意事项： followed by (1)(2) items;
* tables whose cells are tab-separated, with some rows shifted by empty cells and with
  stray spaces inside cells where the PDF wrapped a narrow column;
* form checkboxes written as ``<input type="checkbox"/>``.

``parse_document`` returns a generic :class:`Document` (front matter, body blocks,
attachments); ``parse_guide`` reshapes it into a :class:`Guide` (sections, subsections,
steps with menu paths, fields, formats, notes and review times).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from cms.chinese import WRITTEN_DATES, chinese_numeral, is_han, parse_date, to_int

# --------------------------------------------------------------------------- the tree


@dataclass
class Heading:
    """A heading. level 0: title of an enclosed document; 1: 一、; 2: （一）."""

    level: int
    text: str
    number: int | None = None

    @property
    def marker(self) -> str:
        if self.number is None or self.level == 0:
            return ""
        if self.level == 1:
            return f"{chinese_numeral(self.number)}、"
        return f"（{chinese_numeral(self.number)}）"

    @property
    def label(self) -> str:
        return f"{self.marker}{self.text}"


@dataclass
class Paragraph:
    text: str
    # A single physical line, short and without closing punctuation: a label, a title
    # or a line of a list (e.g. a name in a 落款). Used to find titles and signatures.
    short_line: bool = field(default=False, compare=False, repr=False)


@dataclass
class Item:
    """A numbered item: style "arabic" (1.), "paren" （1） or "circled" (①)."""

    style: str
    number: int
    text: str

    @property
    def marker(self) -> str:
        if self.style == "arabic":
            return f"{self.number}. "
        if self.style == "paren":
            return f"（{self.number}）"
        return chr(0x2460 + self.number - 1)


@dataclass
class Note:
    """注 (kind "note") or 注意事项 (kind "warning"): free text and/or listed items."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    label: str = ""


@dataclass
class Merge:
    """A merged cell, in TableBlock's ``mergeCells`` terms (0-based, header included)."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    """A rectangular table. kind "list": a header row then numbered rows; "form": a grid."""

    rows: list[list[str]]
    header_rows: int = 0
    merges: list[Merge] = field(default_factory=list)
    kind: str = "form"

    @property
    def header(self) -> list[str]:
        return self.rows[0] if self.header_rows else []

    @property
    def body_rows(self) -> list[list[str]]:
        return self.rows[self.header_rows :]

    def column(self, name: str) -> int:
        return self.header.index(name)


@dataclass
class Signature:
    """落款: the issuing bodies and the date at the end of a notice."""

    bodies: list[str]
    date: dt.date | None = None


@dataclass
class Attachment:
    number: int
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    title: str = ""
    document_number: str = ""
    issuers: list[str] = field(default_factory=list)
    written_date: dt.date | None = None
    body: list = field(default_factory=list)
    attachment_titles: dict[int, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def signature(self) -> Signature | None:
        return next((b for b in self.body if isinstance(b, Signature)), None)

    def tables(self) -> list[Table]:
        blocks = list(self.body)
        for attachment in self.attachments:
            blocks.extend(attachment.blocks)
        return [b for b in blocks if isinstance(b, Table)]


# Guide-specific nodes ----------------------------------------------------------------


@dataclass
class FieldSpec:
    """A form field a step asks the user to fill in."""

    name: str
    required: bool = True
    hint: str = ""


@dataclass
class ReviewTime:
    working_days: int
    remark: str = ""


@dataclass
class Step:
    text: str
    number: int | None = None
    menu_path: str = ""
    fields: list[FieldSpec] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    review_time: ReviewTime | None = None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass
class StepList:
    steps: list[Step]


@dataclass
class ItemList:
    """A numbered list that is not a procedure, e.g. admission conditions (1)…(5)."""

    items: list[str]


@dataclass
class GuideSection:
    title: str
    number: int | None = None
    content: list = field(default_factory=list)

    @property
    def subsections(self) -> list[GuideSection]:
        return [c for c in self.content if isinstance(c, GuideSection)]

    @property
    def steps(self) -> list[Step]:
        """Steps directly in this section (not in its subsections)."""
        return [s for c in self.content if isinstance(c, StepList) for s in c.steps]

    def all_steps(self) -> list[Step]:
        out = list(self.steps)
        for sub in self.subsections:
            out.extend(sub.all_steps())
        return out

    def find(self, title_part: str) -> GuideSection | None:
        for sub in self.subsections:
            if title_part in sub.title:
                return sub
        return None


@dataclass
class Guide:
    title: str
    intro: list[str] = field(default_factory=list)
    intro_review_times: list[ReviewTime] = field(default_factory=list)
    sections: list[GuideSection] = field(default_factory=list)

    def all_steps(self) -> list[Step]:
        return [s for sec in self.sections for s in sec.all_steps()]


# --------------------------------------------------------------------------- characters

# The numerals of heading markers ("三、", "（十二）") and dates in policy texts.
_CN_NUMERAL_CHARS = "一二三四五六七八九十百〇零两"


def is_cjk(ch: str) -> bool:
    """Han characters and CJK / full-width punctuation (including Chinese quotes)."""
    return is_han(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·"


def display_width(text: str) -> int:
    """Width in half-width units: a Han character or full-width mark counts 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


_OPEN_CLOSE = ("（）", "()", "《》", "“”", "【】", "〔〕", "[]", "「」", "『』")


def open_bracket_depth(text: str) -> int:
    """How many brackets/quotes are still open at the end of ``text``."""
    depth = 0
    for pair in _OPEN_CLOSE:
        level = 0
        for ch in text:
            if ch == pair[0]:
                level += 1
            elif ch == pair[1] and level:
                level -= 1
        depth += level
    return depth


_UNITS = ("平方米", "平方", "米", "元", "万元", "千瓦", "千伏安", "吨", "公里")


def squeeze_cjk_spaces(text: str) -> str:
    """Remove spaces a PDF left between two CJK characters (wrapped table cells).

    A blank before a unit (长 米、面积 平方) is a fill-in space of a form and is kept.
    """
    parts = re.split(r"( +)", text)
    out = []
    for i, part in enumerate(parts):
        if part.startswith(" ") and 0 < i < len(parts) - 1:
            before, after = parts[i - 1], parts[i + 1]
            if before and after and is_cjk(before[-1]) and is_cjk(after[0]):
                token = re.search(r"[\u4e00-\u9fff]*$", before).group(0)
                if not (after.startswith(_UNITS) and 0 < len(token) <= 2):
                    continue
        out.append(part)
    return "".join(out)


def tidy(text: str) -> str:
    """Collapse spaces and drop those inside CJK brackets and before CJK punctuation."""
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    text = re.sub(r" {2,}", " ", text).strip()
    text = re.sub(r" +(?=[，。；：、！？）》」』】〕])", "", text)
    return re.sub(r"(?<=[（《「『【〔]) +", "", text)


def clean_cell(text: str) -> str:
    """Tidy a table cell; spaces between Han characters are wrapping noise, except in
    a cell of checkbox choices, where they separate one choice from the next label."""
    text = tidy(text)
    if "☐" in text or "☑" in text:
        return text
    return tidy(squeeze_cjk_spaces(text))


_CHECKBOX_RE = re.compile(r"<input\b[^>]*\btype\s*=\s*['\"]?checkbox['\"]?[^>]*>", re.I)


def normalize_checkboxes(text: str) -> str:
    """``<input type="checkbox"/> 自有`` → ``☐ 自有`` (``☑`` when checked)."""

    def repl(match):
        return " ☑ " if re.search(r"\bchecked\b", match.group(0), re.I) else " ☐ "

    text = _CHECKBOX_RE.sub(repl, text)
    return re.sub(r"[ \u3000]*([☐☑])[ \u3000]*", r" \1 ", text)


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between Chinese text, one between two Latin words."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii():
            if line[0].isalnum():
                out += " "
        out += line
    return out


# --------------------------------------------------------------------------- markers

_CN = _CN_NUMERAL_CHARS
H1_RE = re.compile(rf"^([{_CN}]{{1,3}})\s*[、．.]\s*(.*)$")
H2_RE = re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[）)]\s*(.*)$")
ARABIC_RE = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(.*)$")
PAREN_RE = re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*(.*)$")
CIRCLED_RE = re.compile(r"^([\u2460-\u2473])\s*(.*)$")
ATTACHMENT_RE = re.compile(r"^附\s*件\s*(\d{1,2})\s*[:：]?\s*(.*)$")
ATTACHMENT_LIST_RE = re.compile(r"^[-–—•·*]?\s*附\s*件\s*[:：]\s*(.*)$")
NOTE_LABEL_RE = re.compile(r"^(注意事项|温馨提示|特别提示|重要提示|注意)\s*[:：]?\s*$")
DOCUMENT_NUMBER_RE = re.compile(
    r"^([\u4e00-\u9fffA-Za-z]{1,12})\s*[〔\[【（(﹝［]\s*(\d{4})\s*[〕\]】）)﹞］]\s*(\d{1,5})\s*号$"
)
DOC_TYPE_RE = re.compile(
    r"(通知|方案|意见|办法|决定|通告|公告|函|批复|报告|规定|细则|规划|纲要|指南|要点|通报|清单)$"
)
ORG_RE = re.compile(
    r"(公司|集团|局|厅|委员会|委|政府|办公室|办|中心|部|院|会|处|所|队|站|署|银行|管理机构)$"
)

STRONG = "strong"
WEAK = "weak"
_TERMINAL = "。！？；：:;!?"
_SOFT = "，,、“《（(【〔-—/"


def marker_strength(text: str) -> str | None:
    """STRONG markers always start a new block; WEAK ones unless a bracket is open."""
    if (
        H1_RE.match(text)
        or H2_RE.match(text)
        or ATTACHMENT_RE.match(text)
        or ATTACHMENT_LIST_RE.match(text)
        or NOTE_LABEL_RE.match(text)
        or date_line(text)
    ):
        return STRONG
    if ARABIC_RE.match(text) or PAREN_RE.match(text) or CIRCLED_RE.match(text):
        return WEAK
    return None


def date_line(text: str) -> dt.date | None:
    """2024年10月29日 or 二〇二四年十月二十九日 alone on a line: a policy's date. A bare
    2024-10-29 is left as text (tables and forms use it; a signature never does)."""
    return parse_date(text, WRITTEN_DATES)


# --------------------------------------------------------------------------- lines


@dataclass
class _Line:
    text: str
    is_tab: bool


def _prepare_lines(text: str) -> list[_Line]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = normalize_checkboxes(text)
    lines = []
    for raw in text.split("\n"):
        raw = raw.rstrip()
        if not raw.strip():
            continue
        if "\t" in raw:
            lines.append(_Line(raw.strip(" \u3000"), True))
        else:
            lines.append(_Line(tidy(raw), False))
    return lines


def _wrap_width(lines: list[_Line]) -> int:
    """The page width the text was wrapped at: a high percentile of the line widths."""
    widths = sorted(display_width(line.text) for line in lines if not line.is_tab)
    if not widths:
        return 80
    return max(40, widths[int(len(widths) * 0.9)])


# --------------------------------------------------------------------------- blocks


@dataclass
class _AttachmentStart:
    number: int
    title: str


@dataclass
class _AttachmentList:
    titles: dict[int, str]


@dataclass
class _NoteLabel:
    label: str


def _continues(buf: list[str], nxt: _Line, width: int) -> bool:
    """Does line ``nxt`` continue the paragraph whose lines are ``buf``?"""
    if nxt.is_tab:
        return False
    strength = marker_strength(nxt.text)
    if strength == STRONG:
        return False
    joined = join_lines(buf)
    if open_bracket_depth(joined) and len(joined) < 1500:
        return True  # inside （…）/“…”/《…》: markers like ① are inline here
    if strength == WEAK:
        return False
    last = buf[-1]
    if last[-1] in _TERMINAL:
        return False
    if last[-1] in _SOFT:
        return True
    return display_width(last) >= 0.8 * width


def _heading(level: int, number: int, rest: str) -> list:
    rest = rest.strip()
    text = rest.rstrip("。.：:；;").strip()
    if text and not re.search(r"[。！？；]", text) and display_width(text) <= 60:
        return [Heading(level, text, number)]
    # A run-in heading: "(一) 提高思想认识。各部门要……"
    match = re.match(r"^([^。！？；，,]{2,20})[。！？；]\s*(.+)$", rest)
    if match:
        return [Heading(level, match.group(1).strip(), number), Paragraph(match.group(2))]
    marker = Heading(level, "", number).marker
    return [Paragraph(marker + rest)]


def _classify(lines: list[str], width: int) -> list:
    text = join_lines(lines)
    if match := H1_RE.match(text):
        return _heading(1, to_int(match.group(1)), match.group(2))
    if match := H2_RE.match(text):
        return _heading(2, to_int(match.group(1)), match.group(2))
    if match := ARABIC_RE.match(text):
        return [Item("arabic", int(match.group(1)), match.group(2).strip())]
    if match := PAREN_RE.match(text):
        return [Item("paren", int(match.group(1)), match.group(2).strip())]
    if match := CIRCLED_RE.match(text):
        return [Item("circled", ord(match.group(1)) - 0x2460 + 1, match.group(2).strip())]
    short = (
        len(lines) == 1
        and text[-1] not in _TERMINAL + "，,、"
        and display_width(text) < 0.8 * width
    )
    return [Paragraph(text, short_line=short)]


def _looks_like_org(block, known: set[str]) -> bool:
    if not (isinstance(block, Paragraph) and block.short_line):
        return False
    text = block.text
    if re.search(r"[，。；：、,;:\s]", text) or display_width(text) > 60:
        return False
    return text in known or bool(ORG_RE.search(text))


def _table_end(lines: list[_Line], start: int) -> int:
    """The table starting at ``start`` runs to its last tab line before a new block."""
    last = start
    for k in range(start + 1, len(lines)):
        line = lines[k]
        if line.is_tab:
            last = k
            continue
        if marker_strength(line.text) == STRONG or line.text[-1] in "。！？":
            break
    return last + 1


def _segment(lines: list[_Line], width: int, known_bodies: set[str]) -> list:
    blocks: list = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        if line.is_tab:
            end = _table_end(lines, i)
            table = build_table(
                [ln.text.split("\t") if ln.is_tab else [ln.text] for ln in lines[i:end]]
            )
            if table:
                blocks.append(table)
            i = end
            continue
        if date := date_line(text):
            bodies = []
            while blocks and _looks_like_org(blocks[-1], known_bodies):
                bodies.insert(0, blocks.pop().text)
            blocks.append(Signature(bodies, date))
            i += 1
            continue
        if match := ATTACHMENT_RE.match(text):
            blocks.append(_AttachmentStart(int(match.group(1)), match.group(2).strip()))
            i += 1
            continue
        if match := ATTACHMENT_LIST_RE.match(text):
            i = _attachment_list(lines, i, match.group(1).strip(), blocks)
            continue
        if match := NOTE_LABEL_RE.match(text):
            blocks.append(_NoteLabel(match.group(1)))
            i += 1
            continue
        buf = [text]
        i += 1
        while i < len(lines) and _continues(buf, lines[i], width):
            buf.append(lines[i].text)
            i += 1
        blocks.extend(_classify(buf, width))
    return blocks


def _attachment_list(lines: list[_Line], i: int, rest: str, blocks: list) -> int:
    """附件：1.… / 2.… (one per line) → {number: title}."""
    titles: dict[int, str] = {}
    match = ARABIC_RE.match(rest)
    if match:
        titles[int(match.group(1))] = match.group(2).strip()
    elif rest:
        titles[1] = rest
    i += 1
    while i < len(lines) and not lines[i].is_tab:
        match = ARABIC_RE.match(lines[i].text)
        if not (match and int(match.group(1)) == len(titles) + 1):
            break
        titles[int(match.group(1))] = match.group(2).strip()
        i += 1
    blocks.append(_AttachmentList(titles))
    return i


def _fold_notes(blocks: list) -> list:
    """注意事项： + the (1)(2)… items (or one paragraph) after it → a warning Note."""
    out = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if not isinstance(block, _NoteLabel):
            out.append(block)
            continue
        note = Note("warning", label=block.label)
        style = blocks[i].style if i < len(blocks) and isinstance(blocks[i], Item) else None
        while i < len(blocks) and isinstance(blocks[i], Item) and blocks[i].style == style:
            note.items.append(blocks[i].text)
            i += 1
        if not note.items and i < len(blocks) and isinstance(blocks[i], Paragraph):
            note.text = blocks[i].text
            i += 1
        out.append(note)
    return out


# --------------------------------------------------------------------------- tables


def _strip_trailing(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def build_table(raw_rows: list[list[str]]) -> Table | None:
    """Tab-separated rows → a rectangular Table (list tables repaired and merged)."""
    rows = [[clean_cell(c) for c in row] for row in raw_rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return None
    if _is_list_table(rows):
        return _list_table(rows)
    return _form_table(rows)


def _is_numbered(row: list[str]) -> bool:
    return bool(row) and row[0].isdigit()


def _is_list_table(rows: list[list[str]]) -> bool:
    header = _strip_trailing(rows[0])
    if len(header) < 2 or not all(header) or len(rows) < 2:
        return False
    if any(len(c) > 12 or "☐" in c for c in header):
        return False
    numbered = sum(_is_numbered(row) for row in rows[1:])
    return numbered >= 0.6 * (len(rows) - 1)


def _similarity(a: str, b: str) -> float:
    """Dice coefficient on character bigrams (characters for one-character strings)."""

    def grams(s):
        return {s[i : i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}

    ga, gb = grams(a), grams(b)
    return 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0


def _shift_candidates(row: list[str], ncols: int):
    """Ways to undo one run of empty cells inserted into (or dropped from) ``row``.

    Yields (number of cells moved, candidate row of ``ncols`` cells). A PDF that shifts
    a row does so by adding or losing empty cells at one place, so values keep their
    order and move together.
    """
    yield 0, row
    for p in range(1, len(row)):
        for d in range(1, len(row) - p + 1):  # delete row[p:p+d] (all empty)
            if row[p + d - 1]:
                break
            yield d, row[:p] + row[p + d :]
    for p in range(1, len(row) + 1):
        for d in range(1, ncols - len(row) + 1):  # insert d empty cells at p
            yield d, row[:p] + [""] * d + row[p:]


def _list_table(rows: list[list[str]]) -> Table:
    header = _strip_trailing(rows[0])
    ncols = len(header)
    raw = [_strip_trailing(row) for row in rows[1:]]
    serial = next((i for i, h in enumerate(header) if h in ("序号", "编号", "No.", "NO")), 0)

    # Rows with one value per column need no guessing; they teach what each column holds.
    profiles: list[set[str]] = [set() for _ in range(ncols)]
    for row in raw:
        values = [c for c in row if c]
        if len(values) == ncols:
            for col, value in enumerate(values):
                profiles[col].add(value)

    def fit(value: str, col: int) -> float:
        points = 0.0
        if col == serial:
            points += 3 if value.isdigit() else -3
        elif value.isdigit():
            points -= 2
        if value in profiles[col]:
            points += 3
        elif profiles[col]:
            points += max(_similarity(value, p) for p in profiles[col])
        return points

    aligned = []
    for row in raw:
        values = [c for c in row if c]
        if len(values) > ncols:  # more values than columns: keep the overflow together
            row = [*values[: ncols - 1], " ".join(values[ncols - 1 :])]
        best, best_score = None, float("-inf")
        for moved, candidate in _shift_candidates(row, ncols):
            candidate = _strip_trailing(candidate)
            if len(candidate) > ncols:
                continue
            total = sum(fit(v, c) for c, v in enumerate(candidate) if v) - moved
            if total > best_score:
                best, best_score = candidate, total
        best = best if best is not None else row[:ncols]
        aligned.append(best + [""] * (ncols - len(best)))

    merges = _carry_down(header, aligned, serial, header_rows=1)
    return Table([header, *aligned], header_rows=1, merges=merges, kind="list")


def _carry_down(header, rows, serial, header_rows) -> list[Merge]:
    """Fill cells a merged column left empty and return the merges that span them.

    A column is merged when it has empty cells and few distinct values (部门, 事项名称,
    办理时限). Values are carried down until a column to their left changes; spans follow
    the finest grouping column (the one with most distinct values), so each group of
    rows shares one cell per merged column.
    """
    ncols = len(header)
    candidates = []
    for col in range(ncols):
        values = [row[col] for row in rows]
        if col == serial or re.search(r"备注|说明|附注", header[col]):
            continue
        distinct = {v for v in values if v}
        if distinct and any(not v for v in values) and len(distinct) <= max(1, len(rows) // 2):
            candidates.append(col)
    if not candidates:
        return []
    previous = None
    for row in rows:
        changed = None
        if previous is not None:
            changed = next(
                (c for c in candidates if row[c] and row[c] != previous[c]),
                None,
            )
        for col in candidates:
            if not row[col] and previous is not None and (changed is None or col < changed):
                row[col] = previous[col]
        previous = row

    primary = max(candidates, key=lambda c: len({row[c] for row in rows}))
    merges = []
    for col in candidates:
        key_cols = [c for c in candidates if c <= max(col, primary)]
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or any(rows[i][c] != rows[start][c] for c in key_cols):
                if i - start > 1 and rows[start][col]:
                    merges.append(Merge(start + header_rows, col, i - start, 1))
                start = i
    merges.sort(key=lambda m: (m.row, m.col))
    return merges


def _form_table(rows: list[list[str]]) -> Table:
    """A form: collapse runs of empty cells, span short rows and row-group labels."""
    grid = []
    for row in rows:
        cells = []
        for cell in _strip_trailing(row):
            if cell or not cells or cells[-1]:
                cells.append(cell)
        grid.append(cells)
    ncols = max(len(row) for row in grid)
    merges = []
    for i, row in enumerate(grid):
        if len(row) < ncols:
            merges.append(Merge(i, len(row) - 1, 1, ncols - len(row) + 1))
    i = 0
    while i < len(grid):
        if grid[i][0] and len(grid[i]) > 1:
            j = i + 1
            while j < len(grid) and len(grid[j]) > 1 and not grid[j][0]:
                j += 1
            if j - i > 1:
                merges.append(Merge(i, 0, j - i, 1))
            i = j
        else:
            i += 1
    merges.sort(key=lambda m: (m.row, m.col))
    grid = [row + [""] * (ncols - len(row)) for row in grid]
    return Table(grid, header_rows=0, merges=merges, kind="form")


# --------------------------------------------------------------------------- document


def _norm_title(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\"'“”‘’《》「」]", "", text)


def _front_matter(lines: list[_Line], doc: Document) -> int:
    """Masthead, 发文字号 and title; returns the index of the first body line."""
    head = [ln.text for ln in lines[:15]]
    number_at = next(
        (i for i, t in enumerate(head) if DOCUMENT_NUMBER_RE.match(t.replace(" ", ""))),
        None,
    )
    if number_at is None:
        if lines and not lines[0].is_tab:
            first = lines[0].text
            if (
                not marker_strength(first)
                and first[-1] not in _TERMINAL
                and display_width(first) <= 60
            ):
                doc.title = first
                return 1
        return 0

    match = DOCUMENT_NUMBER_RE.match(lines[number_at].text.replace(" ", ""))
    doc.document_number = "{}〔{}〕{}号".format(*match.groups())  # 信电[2024]141号 → 〔〕
    for text in head[:number_at]:  # masthead: 国网信阳供电公司 / 信阳市城市管理局 文件 …
        for token in text.split():
            token = re.sub(r"文件$", "", token)
            if token and token not in doc.issuers:
                doc.issuers.append(token)

    i = number_at + 1
    title_lines: list[str] = []
    while i < len(lines) and len(title_lines) < 4:
        text = lines[i].text
        if lines[i].is_tab or text[-1] in "：:" or marker_strength(text):
            break
        tokens = text.split()
        if not title_lines and "关于" not in text and all(ORG_RE.search(t) for t in tokens):
            # The issuers written above the title (part of the full title, kept apart).
            for token in tokens:
                if token not in doc.issuers:
                    doc.issuers.append(token)
            i += 1
            continue
        if "关于" in text and not title_lines:
            prefix = text[: text.index("关于")].split()
            if prefix and all(ORG_RE.search(t) for t in prefix):
                text = text[text.index("关于") :]
        title_lines.append(text)
        i += 1
        joined = join_lines(title_lines)
        if not open_bracket_depth(joined) and DOC_TYPE_RE.search(joined):
            break
    doc.title = join_lines(title_lines)
    return i


def _assemble(blocks: list, doc: Document) -> None:
    current: Attachment | None = None
    expect_title = False
    for block in blocks:
        if isinstance(block, _AttachmentList):
            doc.attachment_titles.update(block.titles)
            continue
        if isinstance(block, _AttachmentStart):
            current = Attachment(block.number, block.title)
            doc.attachments.append(current)
            expect_title = not block.title
            continue
        if current is not None and isinstance(block, Paragraph) and block.short_line:
            if expect_title:
                current.title = block.text
                expect_title = False
                continue
            # An attachment that lost its "附件 N" line: its listed title on its own line.
            listed = next(
                (
                    n
                    for n, t in doc.attachment_titles.items()
                    if n > current.number and _norm_title(t) == _norm_title(block.text)
                ),
                None,
            )
            if listed:
                current = Attachment(listed, block.text)
                doc.attachments.append(current)
                continue
        expect_title = False
        (current.blocks if current else doc.body).append(block)

    found = {a.number for a in doc.attachments}
    for number, title in doc.attachment_titles.items():
        if number not in found:
            doc.attachments.append(Attachment(number, title))
    for attachment in doc.attachments:
        if not attachment.title:
            attachment.title = doc.attachment_titles.get(attachment.number, "")
        attachment.blocks = _fold_notes(attachment.blocks)
    doc.attachments.sort(key=lambda a: a.number)

    body = _fold_notes(doc.body)
    enclosed = {_norm_title(t) for t in re.findall(r"《([^》]+)》", doc.title)}
    for i, block in enumerate(body):
        if not (isinstance(block, Paragraph) and block.short_line):
            continue
        after_signature = i > 0 and isinstance(body[i - 1], Signature)
        if _norm_title(block.text) in enclosed or (
            after_signature and not re.search(r"[\s，。；：、]", block.text)
        ):
            body[i] = Heading(0, block.text)
    doc.body = body


def parse_document(text: str) -> Document:
    """Parse the text of a policy document (or any document) into a Document tree."""
    lines = _prepare_lines(text)
    doc = Document()
    start = _front_matter(lines, doc)
    width = _wrap_width(lines)
    blocks = _segment(lines[start:], width, set(doc.issuers))
    _assemble(blocks, doc)
    signature = doc.signature
    if signature:
        doc.written_date = signature.date
        if not doc.issuers:
            doc.issuers = list(signature.bodies)
    return doc


# --------------------------------------------------------------------------- guide steps

_NOTE_OPEN_RE = re.compile(r"[（(]\s*注\s*[:：]")
_REVIEW_RE = re.compile(r"(\d+)\s*个工作日(?:\s*[，,]\s*([^，,。；;）)]{1,12}))?")
_REMARK_RE = re.compile(r"顺延|延长|延期|除外|节假日|不含|不包括")
_REVIEW_PAREN_RE = re.compile(r"[（(]\s*\d+\s*个工作日(?:\s*[，,][^（）()]*)?[）)]")
_FORMAT_RE = re.compile(
    r"格式\s*[:：]\s*((?:\.?[A-Za-z][A-Za-z0-9]{1,4}\s*(?:[、，,/／]|或|和|及)?\s*)+)"
)
_FIELD_RE = re.compile(
    r"(填写|选择|输入|上传|录入)\s*(“[^”]+”(?:\s*(?:、|，|,|和|及|以及|或)\s*“[^”]+”)*)"
)
_ADVERBS = ("准确", "正确", "如实", "认真", "请", "并", "和", "及", "或", "再", "可", "需")
_ADVERBS += ("需要", "自行", "然后", "依次", "先", "重新", "按要求")
_MENU_RE = re.compile(r"打开菜单\s*[:：，,]\s*([^，,。；;（(\s]+)")
_MENU_CHAIN_RE = re.compile(r"【[^【】]+】(?:\s*[-－—–>＞/]\s*【[^【】]+】)+")


def extract_notes(text: str) -> tuple[str, list[Note]]:
    """Take the （注：…） asides out of ``text``; returns (remaining text, notes)."""
    notes: list[Note] = []
    out: list[str] = []
    pos = 0
    while match := _NOTE_OPEN_RE.search(text, pos):
        depth = 0
        end = len(text)
        for k in range(match.start(), len(text)):
            if text[k] in "（(":
                depth += 1
            elif text[k] in "）)":
                depth -= 1
                if depth == 0:
                    end = k
                    break
        notes.append(Note("note", text[match.end() : end].strip()))
        out.append(text[pos : match.start()])
        pos = end + 1
    out.append(text[pos:])
    rest = re.sub(r"([。！？])([）)])。", r"\1\2", "".join(out))
    trailing = re.search(r"(?:^|(?<=[。；]))\s*注\s*[:：](.+)$", rest)
    if trailing:
        notes.append(Note("note", trailing.group(1).strip()))
        rest = rest[: trailing.start()]
    return tidy(rest), notes


def whole_note(text: str) -> Note | None:
    """A paragraph that is nothing but a （注：…） aside."""
    rest, notes = extract_notes(text)
    if notes and not rest.strip("。；; "):
        return Note("note", "\n".join(n.text for n in notes))
    return None


def extract_review_times(text: str) -> list[ReviewTime]:
    """（3个工作日，高峰期顺延） → ReviewTime(3, "高峰期顺延")."""
    out = []
    for match in _REVIEW_RE.finditer(text):
        remark = (match.group(2) or "").strip()
        out.append(ReviewTime(int(match.group(1)), remark if _REMARK_RE.search(remark) else ""))
    return out


def extract_formats(text: str) -> list[str]:
    """附件格式：.jpg .png / 格式：jpg、png / 格式：pdf → ["jpg", "png", "pdf"]."""
    out: list[str] = []
    for match in _FORMAT_RE.finditer(text):
        for ext in re.findall(r"\.?([A-Za-z][A-Za-z0-9]{1,4})", match.group(1)):
            ext = ext.lower()
            if ext not in out:
                out.append(ext)
    return out


def extract_menu_path(text: str) -> str:
    """打开菜单：建设补贴-互联互通 or 【用户管理】-【资产管理】 → "A-B"."""
    if match := _MENU_RE.search(text):
        parts = re.split(r"\s*[-－—–>＞/]\s*", match.group(1).strip("【】"))
        return "-".join(p.strip("【】") for p in parts if p)
    if match := _MENU_CHAIN_RE.search(text):
        return "-".join(re.findall(r"【([^【】]+)】", match.group(0)))
    return ""


def extract_fields(text: str) -> list[FieldSpec]:
    """The quoted names after 填写/选择/输入/上传/录入: 填写“企业名称”、“联系人” → fields.

    "注册类型选择“充电设施运营商”" names a value, not a field: it becomes the field
    注册类型 with the hint 选择“充电设施运营商”.
    """
    fields: list[FieldSpec] = []
    seen: set[str] = set()
    for match in _FIELD_RE.finditer(text):
        names = re.findall(r"“([^”]+)”", match.group(2))
        subject = re.split(r"[，,。；;：:、“”‘’（）()\s【】]", text[: match.start()])[-1]
        if (
            match.group(1) == "选择"
            and len(names) == 1
            and 2 <= len(subject) <= 8
            and all(is_han(c) for c in subject)
            and not subject.endswith(_ADVERBS)
        ):
            found = [FieldSpec(subject, hint=f"选择“{names[0]}”")]
        else:
            found = [FieldSpec(name.strip()) for name in names]
        for spec in found:
            if spec.name and spec.name not in seen:
                seen.add(spec.name)
                fields.append(spec)
    return fields


def extract_step(text: str, number: int | None = None) -> Step:
    body, notes = extract_notes(text)
    reviews = extract_review_times(text)
    body = tidy(_REVIEW_PAREN_RE.sub("", body))
    return Step(
        text=body,
        number=number,
        menu_path=extract_menu_path(body),
        fields=extract_fields(body),
        formats=extract_formats(text),
        notes=notes,
        review_time=reviews[0] if reviews else None,
    )


# --------------------------------------------------------------------------- guide


def _guide_content(blocks: list) -> list:
    """Blocks of one (sub)section → paragraphs, step lists, item lists, notes."""
    out: list = []
    pending_menu = ""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Item):
            style = block.style
            run = []
            while i < len(blocks) and isinstance(blocks[i], Item) and blocks[i].style == style:
                run.append(blocks[i])
                i += 1
            if style == "paren":
                out.append(ItemList([item.text for item in run]))
                continue
            steps = [extract_step(item.text, item.number) for item in run]
            if pending_menu and not steps[0].menu_path:
                steps[0].menu_path = pending_menu
            pending_menu = ""
            out.append(StepList(steps))
            continue
        i += 1
        if isinstance(block, Paragraph):
            note = whole_note(block.text)
            if note and out and isinstance(out[-1], StepList):
                # A （注：…） on its own line right after a step belongs to that step.
                out[-1].steps[-1].notes.append(note)
                continue
            if note:
                out.append(note)
                continue
            step = extract_step(block.text)
            if step.fields or step.formats:
                # An unnumbered instruction with fields to fill is a one-step procedure.
                out.append(StepList([step]))
                continue
            out.append(Paragraph(step.text))
            out.extend(step.notes)
            if block.text.startswith("打开菜单") and step.menu_path:
                pending_menu = step.menu_path  # given to the first of the steps below
            elif step.review_time:
                out.append(step.review_time)
        elif isinstance(block, Heading):
            out.append(Paragraph(block.label))
        elif isinstance(block, Signature):
            out.append(Paragraph("　".join(block.bodies)))
        elif isinstance(block, Note | Table):
            out.append(block)
    return out


def to_guide(doc: Document) -> Guide:
    guide = Guide(title=doc.title)
    intro_blocks: list = []
    # Each section holds raw blocks and subsections in order until converted below.
    raw: dict[int, list] = {}
    section = subsection = None
    for block in doc.body:
        if isinstance(block, Heading) and block.level == 1:
            section = GuideSection(block.text, block.number)
            guide.sections.append(section)
            raw[id(section)] = []
            subsection = None
        elif isinstance(block, Heading) and block.level == 2 and section is not None:
            subsection = GuideSection(block.text, block.number)
            raw[id(section)].append(subsection)
            raw[id(subsection)] = []
        elif subsection is not None:
            raw[id(subsection)].append(block)
        elif section is not None:
            raw[id(section)].append(block)
        else:
            intro_blocks.append(block)

    for section in guide.sections:
        pending: list = []
        for entry in raw[id(section)]:
            if isinstance(entry, GuideSection):
                section.content.extend(_guide_content(pending))
                pending = []
                entry.content = _guide_content(raw[id(entry)])
                section.content.append(entry)
            else:
                pending.append(entry)
        section.content.extend(_guide_content(pending))
        # 注意事项 closing the last subsection speak for the whole section.
        last = section.content[-1] if section.content else None
        if isinstance(last, GuideSection):
            hoisted = []
            while last.content and isinstance(last.content[-1], Note):
                if last.content[-1].kind != "warning":
                    break
                hoisted.insert(0, last.content.pop())
            section.content.extend(hoisted)

    for block in intro_blocks:
        text = block.label if isinstance(block, Heading) else getattr(block, "text", "")
        if not text:
            continue
        guide.intro_review_times.extend(extract_review_times(text))
        guide.intro.append(re.sub(r"^(总览|概述|概况|说明|简介)\s*[:：]\s*", "", text))
    return guide


def parse_guide(text: str) -> Guide:
    """Parse the text of a help guide into sections, subsections and steps."""
    return to_guide(parse_document(text))
