"""Chinese-aware terms for full-text search, identical on every backend.

Chinese is written without spaces, so the stock tokenizers of SQLite FTS5 and
PostgreSQL see 建设补贴申请步骤 as one word and a search for 补贴 finds nothing.
We turn text into a space-separated stream of terms before it reaches any backend,
and backends then only split on white space, which every engine does the same way.

Units and chunks. After NFKC and lower-casing, a *unit* is one Han character or
one whole run of Latin letters and digits (a code stays one unit: 91410100ma45…,
33004). A *chunk* is a stretch of units with nothing between them (15个工作日 is
one chunk of five units; 信电〔2024〕141号 is three chunks: 信电, 2024, 141号).

Index layout (one stream per field value; positions are what makes it exact):

    sequence:  the chunk's overlapping unit pairs, in order, then its last unit
               15个工作日 → 15个 个工 工作 作日 日
    units:     every unit of the value, once per occurrence, after all sequences
               → 15 个 工 作 日

so a field value 目标，标准 is indexed as ``目标 标 标准 准 | 目 标 标 准``.
Within a chunk consecutive pairs sit at consecutive positions; between two chunks
there is always a single-unit term, which no pair can equal, so a phrase of pairs
never runs from one chunk into the next. Units come last so the sequence (one
position per character) stays short: PostgreSQL positions stop at 16 383, which
keeps phrases exact for fields up to about 16 000 characters.

Queries (one *word* per white-space separated part, words ANDed; inside a word
each chunk is ANDed too, as `NB/T` is nb AND t):

    1 unit   → that unit term       补, 2024, 91410100ma45…
    2 units  → that pair term       补贴, 141号
    3+ units → the phrase of its pairs, on the engine's positional phrase query
               (FTS5 "…", PostgreSQL <->, OpenSearch match_phrase)

The archive's PostgreSQL table also indexes each chunk's *triples* (three consecutive
units, :func:`triples`) after the units, and asks a three-unit chunk as that one term
(:func:`triple`), which its GIN index answers without reading positions.

So a chunk matches exactly where its units stand consecutively in one chunk of the
text: a Han query is a substring, a code must be a whole run of letters and
digits, and 目标准 does not match a page that only has 目标 and 标准.
Everything is NFKC-normalised first, so full-width ＮＢ and １５ match NB and 15.
"""

import re
import unicodedata

from cms.chinese import HAN

_TERM_RUN = re.compile(rf"[{HAN}]+|[0-9a-z]+")
_CHUNK = re.compile(rf"[{HAN}0-9a-z]+")
_UNIT = re.compile(rf"[{HAN}]|[0-9a-z]+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def runs(text: str) -> list[str]:
    """The Han and alphanumeric runs of `text`, in order."""
    return _TERM_RUN.findall(normalize(text))


def chunks(text: str) -> list[list[str]]:
    """The units of each chunk of `text` (see the module docstring)."""
    return [_UNIT.findall(chunk) for chunk in _CHUNK.findall(normalize(text))]


def _pairs(units: list[str]) -> list[str]:
    return [units[i] + units[i + 1] for i in range(len(units) - 1)]


def index_terms(text: str) -> list[str]:
    """The indexed term stream of one field value: sequences, then units."""
    sequence, units = [], []
    for chunk in chunks(text):
        sequence.extend(_pairs(chunk))
        sequence.append(chunk[-1])
        units.extend(chunk)
    return sequence + units


def triples(text: str) -> list[str]:
    """Every run of three consecutive units of a chunk, as one term (营业执照 → 营业执
    业执照): the archive's PostgreSQL table adds them to its stream so that a
    three-unit chunk is one term there (:func:`triple`), found without a phrase
    recheck. A triple never equals a pair or a unit (letters and digits next to each
    other are one unit, so the units of a term are unambiguous)."""
    found = []
    for chunk in chunks(text):
        found.extend("".join(chunk[i : i + 3]) for i in range(len(chunk) - 2))
    return found


def triple(group: tuple[str, ...]) -> str | None:
    """The triple term of a query group of two pairs (a chunk of three units), else None."""
    if len(group) != 2:
        return None
    first, second = (_UNIT.findall(pair) for pair in group)
    return "".join([*first, *second[1:]])


def query_groups(text: str) -> list[tuple[str, ...]]:
    """What a document must hold: one tuple per chunk, whose terms must be consecutive.

    A tuple of one term is a plain term; a longer tuple is a phrase.
    """
    groups = []
    for chunk in chunks(text):
        groups.append(tuple(_pairs(chunk)) if len(chunk) > 1 else (chunk[0],))
    return list(dict.fromkeys(groups))


def query_terms(text: str) -> list[str]:
    """Every term of `text`'s query groups (for ranking and highlighting)."""
    return list(dict.fromkeys(term for group in query_groups(text) for term in group))


def index_text(text: str) -> str:
    return " ".join(index_terms(text))


def query_text(text: str) -> str:
    return " ".join(query_terms(text))


def query_words(text: str) -> list[str]:
    """The user's words as typed (normalised): what highlighting looks for."""
    return [w for w in re.split(r"\s+", normalize(text)) if w]
