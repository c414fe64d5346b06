"""The archive's database engine finds exactly what a brute-force scan finds.

Queries of every kind (1–4 Han characters, mixed Han/ASCII, short codes, and joins
such as 目标准 that occur nowhere although 目标 and 标准 do) are drawn from the entries'
file names, applicant names and texts; each result set is compared with a substring
scan of the same text (NFKC, lower-cased, codes as whole runs). Words that look like
codes (4+ letters/digits with a digit) are left out: they also match code columns by
prefix, which the scan does not model (tests/archive/test_search.py covers them).
Run on SQLite here and on PostgreSQL in tests/integration/test_archive_search.py.
"""

import hashlib

import pytest

from archive.models import ArchiveEntry, SearchText
from archive.search import archive_search
from archive.search._query import parse_query
from archive.search.table import MAX_TERMS
from search.text import normalize
from tests.search.oracle import generate_queries, holds

from .test_search import build_archive

pytestmark = pytest.mark.django_db

TRAPS = [
    ("目标，标准与规范.pdf", "项目目标：年度计划。执行标准：国家标准 GB 50966。"),
    ("编号141号码登记.pdf", "批次a15个，批次 15 个；发文 2024年 与 2024 年。"),
    ("申报材料.pdf", "材料，料理；理工，工单。"),
]


def add_traps():
    for n, (name, text) in enumerate(TRAPS):
        ArchiveEntry.objects.create(
            file=f"imports/trap-{n}.pdf",
            kind="other",
            original_name=name,
            format="pdf",
            sha256=hashlib.sha256(name.encode()).hexdigest(),
            status=ArchiveEntry.Status.DONE,
            text=text,
        )


def entry_texts() -> dict[int, list[str]]:
    texts = {}
    for entry in ArchiveEntry.objects.select_related("applicant", "attachment__application"):
        applicant = entry.applicant or (entry.application.applicant if entry.application else None)
        raw = [entry.original_name, applicant.name if applicant else "", entry.text]
        texts[entry.pk] = [normalize(t) for t in raw if t]
    return texts


def check_oracle(user, capsys, label: str) -> None:
    texts = entry_texts()
    kinds = generate_queries([t for ts in texts.values() for t in ts], per_kind=30)
    true_pos = false_pos = false_neg = count = 0
    wrong = []
    for kind, queries in kinds.items():
        for query in queries:
            if any(word.code for word in parse_query(query)):
                continue
            count += 1
            expected = {pk for pk, ts in texts.items() if holds(ts, query)}
            results = archive_search(user, query, engine="database", per_page=100)
            found = {hit.entry.pk for hit in results.hits}
            assert results.total == len(found)
            true_pos += len(found & expected)
            false_pos += len(found - expected)
            false_neg += len(expected - found)
            if found != expected:
                wrong.append((kind, query, sorted(found - expected), sorted(expected - found)))
    recall = true_pos / ((true_pos + false_neg) or 1)
    precision = true_pos / ((true_pos + false_pos) or 1)
    with capsys.disabled():
        print(
            f"\narchive oracle {label}: {count} queries, recall {recall:.3f}, precision {precision:.3f}"
        )
    assert kinds["join"], "the corpus must yield non-occurring joins"
    assert count >= 100
    assert (recall, precision) == (1.0, 1.0), wrong[:20]


def test_database_engine_equals_a_substring_scan(capsys):
    data = build_archive()
    add_traps()
    check_oracle(data.users.root, capsys, "database (SQLite)")


def test_a_text_too_long_to_index_whole_is_still_found_at_its_end():
    data = build_archive()
    entry = data.entries.licence_a
    entry.text = "充电 " * MAX_TERMS + "末尾的独特词组"
    entry.save()
    row = SearchText.objects.get(entry=entry)
    assert row.truncated and "末尾" not in row.terms
    found = archive_search(data.users.root, "独特词组", engine="database")
    assert [hit.entry.pk for hit in found.hits] == [entry.pk]
    assert archive_search(data.users.root, "独特词末", engine="database").total == 0


def test_renaming_the_applicant_updates_the_search_table(django_capture_on_commit_callbacks):
    data = build_archive()
    applicant = data.entries.licence_a.attachment.application.applicant
    assert archive_search(data.users.root, "更名后企业", engine="database").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        applicant.name = "更名后企业有限公司"
        applicant.save(update_fields=["name"])
    assert archive_search(data.users.root, "更名后企业", engine="database").total > 0
