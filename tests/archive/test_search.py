"""Archive search on the embedded default (SQLite, database engine).

The archive is built directly — entries with their text already extracted — so no OCR
runs. `build_archive` and the `check_*` functions are shared with the OpenSearch
integration tests (tests/integration/test_archive_search.py), which run the same
cases through the other engine.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from applications.models import (
    Application,
    Attachment,
    ConstructionSubsidy,
    DepartmentReview,
    InvoiceLine,
    State,
)
from archive.duplicates import duplicate_flags_for, duplicates_for_application
from archive.models import ArchiveEntry, SearchFacetGroup, SearchRow, SearchText
from archive.search import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    QueryTooLong,
    archive_search,
    parse_query,
    table,
)
from archive.search._facets import GROUPED, group_key
from catalogue.models import ApplicantType, ApplicationKind, Department, MaterialRequirement
from cms import credit_code
from search.text import index_terms
from tests.applications import factories

pytestmark = pytest.mark.django_db

SEARCH_URL = "/admin/archive/search/"
INVOICE_CODE = "4100231130"
INVOICE_NUMBER = "12345678"
XINYANG_CITY, ZHENGZHOU_CITY = "411500", "410100"


def _at(year, month=5, day=20):
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def _sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def make_application(applicant, kind, *, state=State.UNDER_REVIEW, departments=(), region=None):
    application = Application.objects.create(
        applicant=applicant,
        kind=kind,
        region=region or applicant.region,
        state=state,
        submitted_at=None if state == State.DRAFT else timezone.now(),
    )
    for code in departments:
        DepartmentReview.objects.create(
            application=application,
            department=Department.objects.get(code=code),
            received_at=timezone.now(),
        )
    return application


def make_entry(application, name, text, *, kind, year, sha=None, fields=None):
    """An attachment of `application` and its archive entry, text already extracted."""
    attachment = Attachment.objects.create(
        application=application,
        requirement=MaterialRequirement.objects.order_by("pk").first(),
        file=f"archive-search-tests/{_sha(name + text)[:12]}.{name.rsplit('.', 1)[-1]}",
        original_name=name,
        format=name.rsplit(".", 1)[-1],
        content_type="application/pdf",
        size=1000,
        sha256=sha or _sha(name + text),
        uploaded_at=_at(year),
    )
    entry, _ = ArchiveEntry.objects.get_or_create(
        attachment=attachment,
        defaults={
            "kind": kind,
            "applicant": application.applicant,
            "original_name": name,
            "format": attachment.format,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    entry.kind = kind
    entry.text = text
    entry.fields = fields or {}
    entry.status = ArchiveEntry.Status.DONE
    entry.created_at = _at(year)
    entry.save()
    return entry


def build_archive() -> SimpleNamespace:
    """Two applicants in two cities, reviewed by different departments.

    A (信阳, 供电): 营业执照, 建设补贴申请表, 发票 (also declared by a second application
    of A: a reused invoice), 直流桩合格证; a draft with a 补贴 file. B (郑州, 城管): 营业执照,
    交流桩合格证, and the very file of A's 建设补贴申请表 (same SHA-256). Plus one
    imported paper archive without an application.
    """
    factories.ensure_reference_data()
    User = get_user_model()
    a = factories.make_applicant(ApplicantType.OPERATOR, name="信阳豫充新能源有限公司")
    b = factories.make_applicant(
        ApplicantType.BUILDER,
        name="郑州快充科技有限公司",
        region=factories.county("410102"),
    )
    b.credit_code = factories.credit_code(region="410102")
    b.save(update_fields=["credit_code"])

    a1 = make_application(a, ApplicationKind.CONSTRUCTION_SUBSIDY, departments=["power"])
    a2 = make_application(a, ApplicationKind.CONSTRUCTION_SUBSIDY, departments=["power"])
    a3 = make_application(
        a, ApplicationKind.OPERATION_SUBSIDY, state=State.DRAFT, departments=["power"]
    )
    b1 = make_application(b, ApplicationKind.JOINT_INSTALLATION, departments=["urban"])

    subsidy_text = (
        "信阳市充电基础设施建设补贴申请表\n申请单位：信阳豫充新能源有限公司\n"
        "本次建设补贴申请金额 100000 元"
    )
    e = SimpleNamespace()
    e.licence_a = make_entry(
        a1,
        "营业执照.png",
        f"营业执照\n统一社会信用代码 {a.credit_code}\n名称 信阳豫充新能源有限公司\n"
        "类型 有限责任公司\n法定代表人 王芳",
        kind="licence",
        year=2026,
        fields={"credit_code": a.credit_code, "name": a.name},
    )
    e.subsidy_a = make_entry(
        a1, "建设补贴申请表.pdf", subsidy_text, kind="other", year=2026, sha=_sha("same")
    )
    e.invoice_a = make_entry(
        a1,
        "发票.pdf",
        f"河南增值税电子普通发票\n发票代码：{INVOICE_CODE}\n发票号码：{INVOICE_NUMBER}\n"
        "开票日期：2026年05月20日\n购买方：信阳豫充新能源有限公司\n直流充电桩 金额合计 100000.00",
        kind="invoice",
        year=2026,
        fields={"invoice_code": INVOICE_CODE, "invoice_number": INVOICE_NUMBER},
    )
    e.certificate_a = make_entry(
        a1,
        "直流桩合格证.jpg",
        "产品合格证\n产品名称：直流充电桩\n型号：DC-120\n检验合格，准予出厂",
        kind="certificate",
        year=2026,
    )
    e.draft_a = make_entry(a3, "补贴申请草稿.pdf", "运营补贴申请（草稿）", kind="other", year=2026)
    e.licence_b = make_entry(
        b1,
        "营业执照.png",
        f"营业执照\n统一社会信用代码 {b.credit_code}\n名称 郑州快充科技有限公司",
        kind="licence",
        year=2025,
    )
    e.certificate_b = make_entry(
        b1, "交流桩合格证.pdf", "合格证\n交流充电桩 AC-7\n检验员 03", kind="certificate", year=2025
    )
    e.same_b = make_entry(
        b1, "补贴测算说明.pdf", subsidy_text, kind="other", year=2025, sha=_sha("same")
    )
    e.imported = ArchiveEntry.objects.create(
        file="imports/2019-subsidy.pdf",
        kind="other",
        original_name="2019年建设补贴档案.pdf",
        format="pdf",
        size=2000,
        sha256=_sha("imported"),
        source_path="/archive/2019/subsidy.pdf",
        status=ArchiveEntry.Status.DONE,
        text="2019年度充电设施建设补贴 纸质档案 扫描件",
        created_at=_at(2024),
    )

    # The invoice is declared on A1 (with its file) and again on A2 (reused).
    for application, invoice_file in ((a1, e.invoice_a.attachment), (a2, None)):
        subsidy = ConstructionSubsidy.objects.create(
            application=application, station=factories.make_station(a), subsidy_year=2026
        )
        InvoiceLine.objects.create(
            subsidy=subsidy,
            equipment=InvoiceLine.Equipment.DC_PILE,
            quantity=2,
            cost_name="直流充电桩购置",
            invoice_number=INVOICE_NUMBER,
            invoice_code=INVOICE_CODE,
            invoice_amount=Decimal("100000.00"),
            used_amount=Decimal("50000.00"),
            issued_on=datetime.date(2026, 5, 20),
            buyer_name=a.name,
            invoice_file=invoice_file,
        )

    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    users = SimpleNamespace(
        root=User.objects.create_superuser("archive-root", "root@example.com", "pw-root-2026"),
        power=factories.make_reviewer("power"),
        urban=factories.make_reviewer("urban"),
        police=factories.make_reviewer("police"),
        applicant=a.user,
    )
    for user in (users.power, users.urban, users.police):
        user.user_permissions.add(access)
    return SimpleNamespace(
        a=a, b=b, a1=a1, a2=a2, a3=a3, b1=b1, entries=e, users=users, all=_all_entries(e)
    )


def _all_entries(e):
    return [value for value in vars(e).values() if isinstance(value, ArchiveEntry)]


def ids(results):
    return [hit.entry.pk for hit in results.hits]


def pks(*entries):
    return {entry.pk for entry in entries}


# --------------------------------------------------------------------------- shared cases
# Each check runs one case with `engine` ("database" or "opensearch") and asserts the
# engine that answered, so the integration tests prove the OpenSearch path.


def search(data, query, engine, user=None, **options):
    results = archive_search(data.users.root if user is None else user, query, **options)
    assert results.engine == engine
    return results


def check_two_characters_inside_a_word(data, engine):
    e = data.entries
    results = search(data, "补贴", engine)
    assert set(ids(results)) == pks(e.subsidy_a, e.same_b, e.draft_a, e.imported)
    assert results.total == 4
    hit = next(h for h in results.hits if h.entry == e.subsidy_a)
    assert "<mark>补贴</mark>" in hit.highlight
    longer = search(data, "建设补贴", engine)
    assert set(ids(longer)) == pks(e.subsidy_a, e.same_b, e.imported)


def check_one_character_inside_a_word(data, engine):
    e = data.entries
    results = search(data, "桩", engine)  # 直流充电桩, 交流充电桩, 直流桩合格证
    assert set(ids(results)) == pks(e.certificate_a, e.certificate_b, e.invoice_a)
    assert all("<mark>桩</mark>" in h.highlight for h in results.hits)


def check_certificate(data, engine):
    e = data.entries
    results = search(data, "合格证", engine)
    assert set(ids(results)) == pks(e.certificate_a, e.certificate_b)
    assert all("<mark>合格证</mark>" in h.highlight for h in results.hits)
    assert ids(search(data, "合格证 直流", engine)) == [e.certificate_a.pk]


def check_credit_code_prefix(data, engine):
    e = data.entries
    results = search(data, "9141", engine)
    a_entries = pks(e.licence_a, e.subsidy_a, e.invoice_a, e.certificate_a, e.draft_a)
    b_entries = pks(e.licence_b, e.certificate_b, e.same_b)
    assert set(ids(results)) == a_entries | b_entries
    # The licences carry the code themselves: they come first.
    assert set(ids(results)[:2]) == pks(e.licence_a, e.licence_b)
    only_b = search(data, data.b.credit_code[:6], engine)
    assert set(ids(only_b)) == b_entries and ids(only_b)[0] == e.licence_b.pk
    exact = search(data, data.a.credit_code, engine)
    assert ids(exact)[0] == e.licence_a.pk and exact.hits[0].exact
    assert set(ids(exact)) == a_entries
    assert f"<mark>{data.a.credit_code}</mark>" in exact.hits[0].highlight


def check_invoice_number(data, engine):
    e = data.entries
    results = search(data, INVOICE_NUMBER, engine)
    assert ids(results) == [e.invoice_a.pk]
    hit = results.hits[0]
    assert hit.exact and "invoice_reused" in hit.duplicate_flags
    assert f"<mark>{INVOICE_NUMBER}</mark>" in hit.highlight
    assert ids(search(data, INVOICE_CODE, engine)) == [e.invoice_a.pk]
    # A reference finds every material of that application, exact match first.
    by_reference = search(data, data.b1.reference, engine)
    assert set(ids(by_reference)) == pks(e.licence_b, e.certificate_b, e.same_b)


def check_adjacent_characters(data, engine):
    e = data.entries
    # 建设补贴申请 stands in both application forms; the paper archive has 建设补贴 alone.
    assert set(ids(search(data, "建设补贴申请", engine))) == pks(e.subsidy_a, e.same_b)
    # 电桩 (直流充电桩) and 桩合 (直流桩合格证.jpg) both occur, 电桩合 nowhere.
    assert search(data, "电桩合", engine).total == 0
    assert set(ids(search(data, "直流桩", engine))) == pks(e.certificate_a)
    # A code beside Han characters: adjacent as written, and only as a whole run.
    assert set(ids(search(data, "AC-7", engine))) == pks(e.certificate_b)
    assert search(data, "C-7", engine).total == 0


def check_long_queries(data, engine):
    numbers = " ".join(f"{4100231130 + i}{i:02d}" for i in range(MAX_WORDS))
    assert search(data, numbers, engine).total == 0  # every word must match; no error
    with_invoice = " ".join([INVOICE_NUMBER, "发票", *numbers.split()[:10]])
    assert search(data, with_invoice, engine).total == 0
    for too_long in (numbers + " 发票", "发" * (MAX_QUERY_CHARS + 1)):
        with pytest.raises(QueryTooLong) as raised:
            archive_search(data.users.root, too_long)
        assert "检索词" in str(raised.value)


def check_filters_and_facets(data, engine):
    e = data.entries
    everything = search(data, "", engine)
    assert everything.total == len(data.all)
    assert everything.facets["kind"] == {"other": 4, "licence": 2, "certificate": 2, "invoice": 1}
    assert everything.facets["year"] == {2026: 5, 2025: 3, 2024: 1}
    assert everything.facets["region"] == {XINYANG_CITY: 5, ZHENGZHOU_CITY: 3}
    assert everything.facets["department"] == {"power": 5, "urban": 3}
    assert everything.facets["state"] == {"under_review": 7, "draft": 1}

    results = search(data, "合格证", engine)
    assert results.facets["kind"] == {"certificate": 2}
    assert results.facets["department"] == {"power": 1, "urban": 1}
    assert results.facets["region"] == {XINYANG_CITY: 1, ZHENGZHOU_CITY: 1}
    assert results.facets["year"] == {2026: 1, 2025: 1}
    assert results.facets["application_kind"] == {
        "construction_subsidy": 1,
        "joint_installation": 1,
    }

    power = search(data, "合格证", engine, department="power")
    assert ids(power) == [e.certificate_a.pk]
    # A facet counts with the other filters only: both departments stay selectable.
    assert power.facets["department"] == {"power": 1, "urban": 1}
    assert power.facets["region"] == {XINYANG_CITY: 1}

    assert ids(search(data, "", engine, region=ZHENGZHOU_CITY, kind="certificate")) == [
        e.certificate_b.pk
    ]
    assert ids(search(data, "", engine, region="410102", kind=["certificate"])) == [
        e.certificate_b.pk
    ]
    both = search(data, "补贴", engine, year=[2024, 2025])
    assert set(ids(both)) == pks(e.same_b, e.imported)
    assert both.facets["year"] == {2026: 2, 2025: 1, 2024: 1}
    assert set(ids(search(data, "", engine, state="draft"))) == pks(e.draft_a)
    assert set(ids(search(data, "", engine, application_kind="joint_installation"))) == pks(
        e.licence_b, e.certificate_b, e.same_b
    )
    # Pagination: pages of 3, newest first, no entry twice.
    seen = []
    for page in (1, 2, 3):
        chunk = search(data, "", engine, per_page=3, page=page)
        assert chunk.total == len(data.all) and chunk.pages == 3
        seen += ids(chunk)
    assert sorted(seen) == sorted(pks(*data.all))


def check_visibility(data, engine):
    e, users = data.entries, data.users
    assert set(ids(search(data, "补贴", engine, user=users.power))) == pks(e.subsidy_a)
    assert set(ids(search(data, "补贴", engine, user=users.urban))) == pks(e.same_b)
    power_all = search(data, "", engine, user=users.power)
    assert set(ids(power_all)) == pks(e.licence_a, e.subsidy_a, e.invoice_a, e.certificate_a)
    assert power_all.facets["department"] == {"power": 4}
    for outsider in (users.police, users.applicant):
        results = archive_search(outsider, "补贴")
        assert results.hits == [] and results.total == 0
        assert archive_search(outsider, "").total == 0
        assert archive_search(outsider, data.a.credit_code).total == 0


def check_duplicates(data, engine):
    e = data.entries
    results = search(data, "补贴", engine)
    flags = {hit.entry.pk: hit.duplicate_flags for hit in results.hits}
    assert flags[e.subsidy_a.pk] == ["same_file"]
    assert flags[e.same_b.pk] == ["same_file"]
    assert flags[e.imported.pk] == [] and flags[e.draft_a.pk] == []
    invoice = search(data, INVOICE_NUMBER, engine).hits[0]
    assert invoice.duplicate_flags == ["invoice_reused"]
    assert invoice.duplicate_labels == ["发票重复使用"]


ALL_CHECKS = [
    check_two_characters_inside_a_word,
    check_one_character_inside_a_word,
    check_certificate,
    check_credit_code_prefix,
    check_invoice_number,
    check_filters_and_facets,
    check_visibility,
    check_duplicates,
    check_adjacent_characters,
    check_long_queries,
]


# --------------------------------------------------------------------------- embedded tests


@pytest.fixture
def data(db):
    return build_archive()


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_database_engine(data, check):
    check(data, "database")


@pytest.mark.parametrize("check", [check_credit_code_prefix, check_invoice_number])
def test_a_code_prefix_of_most_rows_gives_the_same_answers(data, check, monkeypatch):
    # On SQLite a prefix of many applications' codes is tested on every row instead of
    # through the index: same results, same order.
    from archive.search import _match

    monkeypatch.setattr(_match, "BROAD_ROWS", 1)
    assert _match.is_broad(parse_query("9141")[0])
    check(data, "database")


def add_prefix_tiers():
    """Imported entries (no application, so no application codes) in each way a code
    prefix can match besides the applications': a credit code of the prefix in the text
    (on the material), the prefix itself as a word of the text, and in the file name."""
    texts = {
        "2018年营业执照副本.pdf": "统一社会信用代码 91410000MA40000011",
        "2018年档案目录.pdf": "卷宗编号 9141 号",
        "9141号卷宗.pdf": "纸质档案 扫描件",
    }
    entries = [
        ArchiveEntry.objects.create(
            file=f"imports/{name}",
            kind="other",
            original_name=name,
            format="pdf",
            size=2000,
            sha256=_sha(name),
            source_path=f"/archive/2018/{name}",
            status=ArchiveEntry.Status.DONE,
            text=text,
            created_at=_at(2024),
        )
        for name, text in texts.items()
    ]
    # Missed: a cooperative (93…) in another county of 信阳 whose entry is in the facet
    # group of A's 建设补贴申请表 (kind, application kind, state, city, year, 供电).
    cooperative = factories.make_applicant(
        ApplicantType.BUILDER, name="信阳光明农机专业合作社", region=factories.county("411503")
    )
    cooperative.credit_code = credit_code.make("93411503MA0000001")
    cooperative.save(update_fields=["credit_code"])
    application = make_application(
        cooperative, ApplicationKind.CONSTRUCTION_SUBSIDY, departments=["power"]
    )
    missed = make_entry(
        application, "建设方案.pdf", "合作社充电桩建设方案", kind="other", year=2026
    )
    table.store([entry.pk for entry in entries] + [missed.pk])
    return entries, missed


def check_broad_prefix_equals_general(data, monkeypatch):
    """A code that prefixes most applications' codes (9141) is answered without scoring
    every match (archive/search/_broad.py: on SQLite the page, on PostgreSQL the counts
    too, as every row less the rows it misses): for every scope and filter, the total,
    the facets and every page are exactly those of the general statement."""
    from archive.search import _match

    tiers, missed = add_prefix_tiers()
    users = data.users
    cases = [
        (users.root, {}),
        (users.root, {"kind": "licence"}),
        (users.root, {"region": XINYANG_CITY}),
        (users.root, {"region": "411502", "year": 2026}),
        (users.root, {"region": "410102", "kind": ["certificate", "licence"]}),
        (users.root, {"department": "power", "year": [2025, 2026]}),
        (users.root, {"state": "draft"}),
        (users.power, {}),
        (users.urban, {"kind": "certificate"}),
    ]

    def answers():
        found = []
        for user, options in cases:
            for page in (1, 2, 3, 4, 5, 6):
                results = archive_search(
                    user, "9141", engine="database", per_page=2, page=page, **options
                )
                hits = [(hit.entry.pk, hit.score) for hit in results.hits]
                found.append((results.total, results.facets, hits))
        return found

    monkeypatch.setattr(_match, "BROAD_ROWS", 10**9)
    general = answers()
    assert not _match.is_broad(parse_query("9141")[0])
    monkeypatch.setattr(_match, "BROAD_ROWS", 1)
    assert _match.is_broad(parse_query("9141")[0])
    assert answers() == general
    # Every way of matching is in the answer, and the missed entry is not.
    everything = [pk for total, _facets, hits in general[:6] for pk, _score in hits]
    assert set(everything) >= {entry.pk for entry in tiers}
    assert not {data.entries.imported.pk, missed.pk} & set(everything)
    assert general[0][0] == 11 and general[7 * 6][0] > 0  # root; power


def check_browse_equals_general(data):
    """PostgreSQL browses (no words) without listing every row (_broad.browse): for
    every scope, filter and page, the total, facets and page of the general statement."""
    from archive.search import _broad, _database
    from archive.search._query import clean_filters, scope_for

    add_prefix_tiers()
    users = data.users
    cases = [
        (users.root, {}),
        (users.root, {"kind": "licence"}),
        (users.root, {"region": XINYANG_CITY, "year": 2026}),
        (users.root, {"region": "411503"}),
        (users.root, {"department": ["power", "urban"], "state": "under_review"}),
        (users.power, {}),
        (users.urban, {"application_kind": "joint_installation"}),
    ]
    for user, options in cases:
        scope, filters = scope_for(user), clean_filters(**options)
        for start in range(0, 14, 3):
            browsed = _broad.browse(scope, filters, start, start + 3)
            assert browsed == _database._counts_and_page(
                [], scope, filters, start, start + 3, frozenset()
            )
    assert _broad.browse(scope_for(users.root), {}, 0, 3)[0] == len(data.all) + 4


def test_a_broad_code_prefix_answers_as_the_general_statement(data, monkeypatch):
    check_broad_prefix_equals_general(data, monkeypatch)


def test_a_review_added_or_removed_moves_the_entries_in_and_out_of_a_scope(data):
    # The reviewing departments are copied onto the search rows: a review created after
    # the entries (or deleted, as a withdrawal does) changes who finds them at once,
    # and the department facet with it.
    e, users = data.entries, data.users
    urban = search(data, "营业执照", "database", user=users.urban)
    assert ids(urban) == [e.licence_b.pk]
    assert_facet_groups_current()
    review = DepartmentReview.objects.create(
        application=data.a1,
        department=Department.objects.get(code="urban"),
        received_at=timezone.now(),
    )
    assert_facet_groups_current()
    urban = search(data, "营业执照", "database", user=users.urban)
    assert set(ids(urban)) == pks(e.licence_a, e.licence_b)
    everything = search(data, "营业执照", "database")
    assert everything.facets["department"] == {"urban": 2, "power": 1}
    review.delete()
    assert_facet_groups_current()
    assert ids(search(data, "营业执照", "database", user=users.urban)) == [e.licence_b.pk]
    assert search(data, "营业执照", "database").facets["department"] == {"power": 1, "urban": 1}


def assert_facet_groups_current():
    """Every search row's facet group is the key of its grouped columns, and rows in
    different groups have different keys (PostgreSQL counts by the key and reads the
    columns from the group's SearchFacetGroup row); the text rows carry the same copies."""
    keys: dict[int, tuple] = {}
    for row in SearchRow.objects.all():
        values = tuple(getattr(row, column) for column in GROUPED)
        assert row.facet_group == group_key(values), row.entry_id
        assert keys.setdefault(row.facet_group, values) == values
    assert len(keys) > 1
    # PostgreSQL reads a group's columns from its SearchFacetGroup row.
    groups = SearchFacetGroup.objects.in_bulk(list(keys))
    assert {key: tuple(getattr(groups[key], c) for c in GROUPED) for key in keys} == keys
    # The text rows carry what a text search reads besides its terms (PostgreSQL answers
    # a search without codes from them alone): the same values as the entry's row.
    copied = ("time", "facet_group", "city", "county", "state", "departments")
    rows = {row.entry_id: tuple(getattr(row, c) for c in copied) for row in SearchRow.objects.all()}
    texts = {t.entry_id: tuple(getattr(t, c) for c in copied) for t in SearchText.objects.all()}
    assert texts == rows


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's table layout")
def test_the_search_rows_are_keyed_by_the_rowid_on_sqlite():
    # Migration archive/0007 makes the entry the rowid: every index then holds it and
    # the counting pass reads the facet index alone. A later migration that rebuilds the
    # table from the model (bigint) would silently undo that.
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'archive_searchrow'")
        (create,) = cursor.fetchone()
        assert '"entry_id" integer NOT NULL PRIMARY KEY' in create
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT kind, COUNT(*) FROM archive_searchrow "
            "WHERE +entry_id IN (1, 2) GROUP BY kind"
        )
        assert "COVERING INDEX archive_row_facets" in " ".join(r[-1] for r in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_the_text_index_follows_the_terms_and_not_the_copied_columns_on_sqlite(data):
    # Migration archive/0010 narrows the FTS5 update trigger to the names and terms:
    # writing a copied column (a review changed) must not re-index the text, and a
    # change of the terms still must.
    fts = "SELECT rowid FROM archive_search_fts WHERE archive_search_fts MATCH %s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'archive_search_fts_au'")
        assert "AFTER UPDATE OF names, terms ON" in cursor.fetchone()[0]
        text = SearchText.objects.order_by("pk").first()
        SearchText.objects.filter(pk=text.pk).update(terms=f"{text.terms} zqxj")
        cursor.execute(fts, ["zqxj"])
        assert cursor.fetchall() == [(text.pk,)]
        SearchText.objects.filter(pk=text.pk).update(terms=text.terms)
        cursor.execute(fts, ["zqxj"])
        assert cursor.fetchall() == []


def test_query_words():
    words = parse_query("合格证 9141 NB/T")
    assert [w.terms for w in words] == [["合格", "格证"], ["9141"], ["nb", "t"]]
    assert [w.code for w in words] == [None, "9141", None]
    assert parse_query("  ") == []


def test_duplicates_for_application(data):
    messages = duplicates_for_application(data.a1)
    assert any(
        "建设补贴申请表" in m and data.b1.reference in m and "同一文件" in m for m in messages
    )
    assert any(
        INVOICE_NUMBER in m and INVOICE_CODE in m and data.a2.reference in m for m in messages
    )
    assert not any(data.a1.reference in m for m in messages)
    assert duplicates_for_application(data.a3) == []
    other = duplicates_for_application(data.a2)
    assert any(data.a1.reference in m and INVOICE_NUMBER in m for m in other)


def test_an_invoice_read_from_a_file_elsewhere_counts_as_a_second_use(data):
    """B sends the very invoice (recognised by OCR, not declared on an invoice line):
    both applications are told, and the hits carry the flag."""
    stray = make_entry(
        data.b1,
        "附件扫描.jpg",
        f"发票号码 {INVOICE_NUMBER}",
        kind="other",
        year=2025,
        fields={"invoice_code": INVOICE_CODE, "invoice_number": INVOICE_NUMBER},
    )
    messages = duplicates_for_application(data.b1)
    assert any(INVOICE_NUMBER in m and data.a1.reference in m for m in messages), messages
    assert any(data.b1.reference in m for m in duplicates_for_application(data.a1))
    flags = duplicate_flags_for([stray, data.entries.licence_b])
    assert flags == {stray.pk: ["invoice_reused"], data.entries.licence_b.pk: []}


def test_the_review_page_shows_duplicates_elsewhere(client, data):
    client.force_login(data.users.power)
    page = client.get(f"/admin/review/{data.a1.reference}/").content.decode()
    assert "档案比对" in page
    assert data.a2.reference in page and INVOICE_NUMBER in page
    assert "同一文件" in page


def test_archive_search_command_json(data):
    out = io.StringIO()
    call_command("archive_search", "补贴", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {row["entry_id"] for row in rows} == pks(
        data.entries.subsidy_a, data.entries.same_b, data.entries.draft_a, data.entries.imported
    )
    row = next(r for r in rows if r["entry_id"] == data.entries.subsidy_a.pk)
    assert row["attachment_id"] == data.entries.subsidy_a.attachment_id
    assert row["reference"] == data.a1.reference
    assert row["kind"] == "other" and row["filename"] == "建设补贴申请表.pdf"
    assert row["engine"] == "database" and row["score"] > 0
    assert "<mark>补贴</mark>" in row["highlight"]
    assert row["duplicate_flags"] == ["same_file"]
    imported = next(r for r in rows if r["entry_id"] == data.entries.imported.pk)
    assert imported["attachment_id"] is None and imported["reference"] is None

    out = io.StringIO()
    call_command("archive_search", "合格证", "--kind", "certificate", "--limit", "1", stdout=out)
    text = out.getvalue()
    assert "共 2 份，显示 1 份" in text and "检索引擎：数据库" in text and "【合格证】" in text


def test_archive_reindex_on_the_embedded_default(db):
    out = io.StringIO()
    call_command("archive_reindex", stdout=out)
    assert "数据库检索表已重建" in out.getvalue()


def test_admin_search_page_for_a_superuser(client, data):
    client.force_login(data.users.root)
    response = client.get(SEARCH_URL, {"q": "补贴"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>补贴</mark>" in html
    assert "检索引擎：数据库" in html
    assert "同一文件" in html
    assert f"/admin/review/{data.a1.reference}/" in html
    assert "纸质档案导入" in html
    # Facet links keep the query and tick one value.
    assert "kind=other" in html and "q=%E8%A1%A5%E8%B4%B4" in html
    filtered = client.get(SEARCH_URL, {"q": "补贴", "kind": "other", "region": ZHENGZHOU_CITY})
    assert [h.entry.pk for h in filtered.context["results"].hits] == [data.entries.same_b.pk]
    assert 'aria-current="true"' in filtered.content.decode()

    exact = client.get(SEARCH_URL, {"q": INVOICE_NUMBER}).content.decode()
    assert "编码精确匹配" in exact and "发票重复使用" in exact
    assert f"<mark>{INVOICE_NUMBER}</mark>" in exact


def test_admin_search_page_preview_link(client, data):
    attachment = data.entries.certificate_a.attachment
    attachment.preview = "previews/cert.jpg"
    attachment.save(update_fields=["preview"])
    client.force_login(data.users.power)
    html = client.get(SEARCH_URL, {"q": "合格证"}).content.decode()
    assert f"/admin/review/file/{attachment.pk}/preview/" in html
    assert data.entries.certificate_b.original_name not in html  # another department's


def test_the_original_is_served_to_those_who_may_see_it_and_is_audited(
    client, data, settings, tmp_path
):
    from wagtail.models import ModelLogEntry

    folder = tmp_path / "private"
    (folder / "imports").mkdir(parents=True)
    (folder / "imports" / "2019-subsidy.pdf").write_bytes(b"%PDF-1.4 scanned archive")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    imported = f"{SEARCH_URL}file/{data.entries.imported.pk}/"
    client.force_login(data.users.power)
    assert client.get(imported).status_code == 404  # the paper archive: superusers only
    assert client.get(f"{SEARCH_URL}file/{data.entries.certificate_b.pk}/").status_code == 404

    client.force_login(data.users.root)
    assert imported in client.get(SEARCH_URL, {"q": "2019"}).content.decode()
    response = client.get(imported)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")  # PDFs are downloaded
    assert response["Cache-Control"].startswith("private, no-store")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scanned archive"
    logged = ModelLogEntry.objects.get(action="archive.view_file")
    assert (logged.object_id, logged.user) == (str(data.entries.imported.pk), data.users.root)

    # A material of an application the department reviews: an image opens inline, and
    # the application's history records who looked at it.
    scan = data.entries.certificate_a.attachment
    (folder / scan.file.name).parent.mkdir(parents=True, exist_ok=True)
    (folder / scan.file.name).write_bytes(b"jpeg bytes")
    client.force_login(data.users.power)
    response = client.get(f"{SEARCH_URL}file/{data.entries.certificate_a.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    event = data.a1.events.get(action="downloaded")
    assert event.actor == data.users.power and "直流桩合格证.jpg（档案检索）" in event.note


def test_admin_search_page_refuses_a_query_too_long_with_400(client, data):
    client.force_login(data.users.root)
    words = " ".join(str(10_000_000 + i) for i in range(MAX_WORDS + 1))
    response = client.get(SEARCH_URL, {"q": words})
    assert response.status_code == 400
    assert f"最多 {MAX_WORDS} 个词" in response.content.decode()
    response = client.get(SEARCH_URL, {"q": "补贴", "year": "²"})
    assert response.status_code == 400
    assert "年份应为四位数字" in response.content.decode()


def test_admin_search_page_pagination(client, data, monkeypatch):
    monkeypatch.setattr("archive.views.PER_PAGE", 4)
    client.force_login(data.users.root)
    response = client.get(SEARCH_URL, {"page": "2", "kind": ["other", "licence"]})
    assert response.status_code == 200
    results = response.context["results"]
    assert (results.total, results.page, results.pages, len(results.hits)) == (6, 2, 2, 2)
    html = response.content.decode()
    assert "上一页" in html and "第 2 / 2 页" in html and "下一页" not in html
    assert "kind=other&amp;kind=licence&amp;page=1" in html
    assert client.get(SEARCH_URL, {"page": "x"}).status_code == 200


def test_admin_search_page_refuses_others(client, data):
    client.force_login(data.users.applicant)
    response = client.get(SEARCH_URL, {"q": "补贴"})
    assert response.status_code in (302, 404)
    assert "补贴" not in response.content.decode()
    # An admin user who reviews for no department: 404 and no menu item.
    User = get_user_model()
    staff = User.objects.create_user("archive-staff", password="pw-staff-2026")
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(staff)
    assert client.get(SEARCH_URL).status_code == 404
    # The sidebar is JSON (non-ASCII escaped): look for the menu item's name.
    assert '"archive-search"' not in client.get("/admin/").content.decode()
    client.force_login(data.users.urban)
    assert '"archive-search"' in client.get("/admin/").content.decode()
    assert client.get(SEARCH_URL).status_code == 200


def test_indexing_hooks_are_no_ops_without_opensearch(
    data, monkeypatch, caplog, django_assert_num_queries
):
    from archive import documents, indexing

    assert not documents.is_configured()

    def must_not_run(*args, **kwargs):
        raise AssertionError("an OpenSearch call without OpenSearch")

    for name in ("index_entry", "delete_entry", "available", "mark_unreachable"):
        monkeypatch.setattr(documents, name, must_not_run)
    entry = data.entries.licence_a
    SearchText.objects.filter(entry=entry).delete()
    with caplog.at_level("WARNING", logger="archive.indexing"):
        assert indexing.entry_changed(entry) is None  # only the database search table
    assert (
        SearchText.objects.get(entry=entry).terms.split()[:2]
        == index_terms(entry.original_name)[:2]
    )
    with caplog.at_level("WARNING", logger="archive.indexing"), django_assert_num_queries(0):
        assert indexing.entry_deleted(data.entries.licence_a.pk) is None
    with caplog.at_level("WARNING", logger="archive.indexing"):
        assert indexing.application_changed(data.a1) is None
        assert indexing.attachment_changed(data.entries.licence_a.attachment_id) is None
    assert caplog.records == []


def test_the_search_table_follows_the_application_and_its_invoice_lines(data):
    """What the database engine filters by is copied into its table: a state change or
    a new invoice line reaches it through the indexing hooks (signals call them)."""
    from archive import indexing

    e = data.entries
    Application.objects.filter(pk=data.a1.pk).update(state=State.APPROVED)
    assert search(data, "", "database", state="approved").total == 0  # not yet told
    indexing.application_changed(data.a1)
    approved = search(data, "", "database", state="approved")
    assert set(ids(approved)) == pks(e.licence_a, e.subsidy_a, e.invoice_a, e.certificate_a)
    assert approved.facets["state"] == {"approved": 4, "under_review": 3, "draft": 1}

    line = InvoiceLine.objects.get(invoice_file=e.invoice_a.attachment)
    InvoiceLine.objects.filter(pk=line.pk).update(invoice_number="87654321")
    indexing.attachment_changed(e.invoice_a.attachment_id)
    results = search(data, "87654321", "database")
    assert ids(results) == [e.invoice_a.pk] and results.hits[0].exact
    assert ids(search(data, "8765", "database")) == [e.invoice_a.pk]  # a prefix


def test_unreachable_opensearch_falls_back_to_the_database(data, settings, caplog, monkeypatch):
    from archive import documents, indexing
    from archive import search as search_module

    monkeypatch.setattr(documents, "_down_until", {})
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends.opensearch",
            "URLS": ["http://127.0.0.1:9"],  # nothing listens there
            "INDEX_PREFIX": "embedded_test_",
            "TIMEOUT": 1,
        }
    }
    with caplog.at_level(logging.WARNING):
        results = archive_search(data.users.root, "补贴")
        assert results.engine == "database" and results.total == 4
        assert "OpenSearch failed, using the database" in caplog.text
        # During the cool-down OpenSearch is not even asked.
        monkeypatch.setattr(search_module._opensearch, "run", _must_not_be_called)
        assert archive_search(data.users.root, "合格证").engine == "database"
        assert "unreachable moments ago" in caplog.text
        caplog.clear()
        indexing.entry_changed(data.entries.licence_a)
        indexing.entry_deleted(data.entries.licence_a.pk)
        assert caplog.text.count("archive_reindex") == 2
    documents.mark_reachable()
    with pytest.raises(CommandError, match="重建档案索引失败"):
        call_command("archive_reindex", stdout=io.StringIO())


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("OpenSearch was asked during the cool-down")
