"""Chinese-aware terms for full-text search, identical on every backend.

Chinese is written without spaces, so the stock tokenizers of SQLite FTS5 and
PostgreSQL see 建设补贴申请步骤 as one word and a search for 补贴 finds nothing.
We turn text into a space-separated stream of terms before it reaches any backend:

- each run of Han characters gives its single characters and its overlapping
  pairs (建设补贴 → 建 建设 设 设补 补 补贴 贴), so a one- or two-character query
  is one term and a longer query is the conjunction of its pairs;
- each run of Latin letters and digits is one lower-cased term, so codes keep
  their identity (91410100MA45…, NB/T 33004-2020 → nb t 33004 2020);
- everything is NFKC-normalised first, so full-width ＮＢ and １５ match NB and 15.

Backends then only need to split on white space, which every engine does the same way.
"""

import re
import unicodedata

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TERM_RUN = re.compile(rf"[{_HAN}]+|[0-9a-z]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def runs(text: str) -> list[str]:
    """The Han and alphanumeric runs of `text`, in order."""
    return _TERM_RUN.findall(normalize(text))


def is_han(run: str) -> bool:
    return bool(_HAN_RUN.fullmatch(run))


def index_terms(text: str) -> list[str]:
    terms = []
    for run in runs(text):
        if not is_han(run):
            terms.append(run)
            continue
        for i, char in enumerate(run):
            terms.append(char)
            if i + 1 < len(run):
                terms.append(run[i : i + 2])
    return terms


def query_terms(text: str) -> list[str]:
    """Terms that must all be present for a document to match `text`."""
    terms = []
    for run in runs(text):
        if is_han(run) and len(run) > 2:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return list(dict.fromkeys(terms))


def index_text(text: str) -> str:
    return " ".join(index_terms(text))


def query_text(text: str) -> str:
    return " ".join(query_terms(text))


def query_words(text: str) -> list[str]:
    """The user's words as typed (normalised): what highlighting looks for."""
    return [w for w in re.split(r"\s+", normalize(text)) if w]
