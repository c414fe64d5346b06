"""The archive's OpenSearch index: one `ArchiveDocument` per ArchiveEntry.

Chinese text is segmented in Python with `search.text` (units and pairs of adjacent
units, laid out so positions line up) into `text_terms` and `name_terms`, which
OpenSearch only splits on white space — exactly what the site search does, so 补贴
is one term everywhere and a longer chunk is a phrase of its pairs (archive.search).
Codes keep their identity in keyword fields (credit code, invoice code and number, SHA-256, application reference and `codes`: every 8–20
character run of digits and capitals found in the text), where a code query matches
exactly or by prefix and ranks first. The extracted text itself is kept in the
document unanalysed; highlighted fragments are computed in Python for both engines.

The name `<prefix>archive` is an alias for a concrete index `<prefix>archive_<timestamp>`.
`rebuild()` fills a new concrete index, then moves the alias in one atomic request
and deletes the old index, so searches keep answering throughout. Single-entry
updates (`index_entry`, `delete_entry`) go to every concrete archive index, including
one that a running rebuild is still filling, so no change is lost by the swap.
"""

import logging
import re
import time
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from opensearchpy import OpenSearch, analyzer
from opensearchpy.exceptions import NotFoundError
from opensearchpy.helpers import bulk
from opensearchpy.helpers.document import Document
from opensearchpy.helpers.field import (
    Date,
    Integer,
    Keyword,
    Object,
    ScaledFloat,
    Text,
)

from applications.models import InvoiceLine
from search.text import index_text

from .models import ArchiveEntry

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
TERMS_ANALYZER = analyzer("archive_terms", tokenizer="whitespace", filter=["lowercase"])

# A code as it appears in the text: 8–20 digits and capitals (at least one digit),
# not part of a longer run of letters or digits.
CODE_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{8,20}(?![0-9A-Za-z])")
CODE_MIN, CODE_MAX = 8, 20


class ArchiveDocument(Document):
    entry_id = Integer()
    attachment_id = Integer()
    kind = Keyword()
    status = Keyword()
    application_id = Integer()
    reference = Keyword()
    application_kind = Keyword()
    application_state = Keyword()
    applicant_id = Integer()
    applicant_name = Keyword()
    credit_code = Keyword()
    department = Keyword(multi=True)  # codes of the departments reviewing the application
    region = Keyword(multi=True)  # county code and its city code
    city = Keyword()  # the city code alone, for the region facet
    year = Integer()
    created_at = Date()  # when the file was uploaded or imported
    submitted_at = Date()  # when its application was (last) submitted
    issued_on = Date()  # the invoice's date: declared on the invoice line, else recognised
    invoice_code = Keyword(multi=True)
    invoice_number = Keyword(multi=True)
    invoice_amount = ScaledFloat(scaling_factor=100)
    filename = Keyword()
    sha256 = Keyword()
    codes = Keyword(multi=True)
    text = Text(index=False)  # the extracted text as read, for display only
    # index_phrases: each pair of adjacent terms is also indexed as one term, so the
    # phrase of a three-character chunk (合格 格证) is a single term look-up and longer
    # ones read far rarer terms (documents indexed before it keep plain phrase queries
    # until `manage.py archive_reindex`).
    text_terms = Text(analyzer=TERMS_ANALYZER, index_phrases=True)
    name_terms = Text(analyzer=TERMS_ANALYZER, index_phrases=True)  # file and applicant name
    fields = Object(enabled=False)

    class Index:
        name = "archive"  # a placeholder: the real names come from settings
        settings = {"number_of_shards": 1}


# --------------------------------------------------------------------------- settings


def opensearch_config() -> dict | None:
    """The default search backend's settings when it is OpenSearch, else None."""
    config = settings.WAGTAILSEARCH_BACKENDS.get("default", {})
    return config if config.get("URLS") else None


def is_configured() -> bool:
    return opensearch_config() is not None


def alias_name() -> str:
    config = opensearch_config() or {}
    return f"{config.get('INDEX_PREFIX', '')}archive"


_clients: dict = {}
_down_until: dict = {}
# After a connection failure, OpenSearch is left alone for this long (per configuration):
# searches go straight to the database and index updates are skipped (with a warning),
# so a hung cluster cannot add its timeout to every request meanwhile.
COOLDOWN_SECONDS = 30.0


def _client_options(config) -> dict:
    options = {"timeout": config.get("TIMEOUT", 5), "max_retries": 0, "retry_on_timeout": False}
    options.update(config.get("OPTIONS", {}))
    return options


def _config_key():
    config = opensearch_config()
    if config is None:
        raise RuntimeError("archive search is not configured to use OpenSearch")
    return (tuple(config["URLS"]), repr(sorted(_client_options(config).items())))


def client() -> OpenSearch:
    """A client for the configured URLs (cached per configuration)."""
    key = _config_key()
    if key not in _clients:
        config = opensearch_config()
        _clients[key] = OpenSearch(hosts=list(config["URLS"]), **_client_options(config))
    return _clients[key]


def available() -> bool:
    """False for a short while after OpenSearch could not be reached."""
    return time.monotonic() >= _down_until.get(_config_key(), 0.0)


def mark_unreachable() -> None:
    _down_until[_config_key()] = time.monotonic() + COOLDOWN_SECONDS


def mark_reachable() -> None:
    _down_until.pop(_config_key(), None)


def _concrete_pattern(alias: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(alias)}_\d+$")


def _new_index_name(alias: str) -> str:
    return f"{alias}_{datetime.now().strftime('%Y%m%d%H%M%S%f')}"


def _create_index(es: OpenSearch, name: str, *, with_alias: str | None = None) -> None:
    index = ArchiveDocument._index.clone(name=name)
    if with_alias:
        index.aliases(**{with_alias: {}})
    index.create(using=es)


def aliased_indices(es: OpenSearch | None = None) -> list[str]:
    es = es or client()
    alias = alias_name()
    try:
        return sorted(es.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def concrete_indices(es: OpenSearch | None = None) -> list[str]:
    """Every concrete archive index: the live one(s) and any a rebuild is filling."""
    es = es or client()
    alias = alias_name()
    pattern = _concrete_pattern(alias)
    found = es.indices.get(index=f"{alias}_*", allow_no_indices=True, expand_wildcards="open")
    return sorted(name for name in found if pattern.match(name))


def ensure_alias(es: OpenSearch | None = None) -> str:
    """Make sure the alias exists (creating an empty concrete index behind it)."""
    es = es or client()
    alias = alias_name()
    if es.indices.exists_alias(name=alias):
        return alias
    if es.indices.exists(index=alias):
        # A plain index under the alias's name (created by hand or by a stray write):
        # replace it in one step by a properly mapped index behind the alias.
        name = _new_index_name(alias)
        _create_index(es, name)
        es.indices.update_aliases(
            body={
                "actions": [
                    {"remove_index": {"index": alias}},
                    {"add": {"index": name, "alias": alias}},
                ]
            }
        )
        return alias
    _create_index(es, _new_index_name(alias), with_alias=alias)
    return alias


def refresh(es: OpenSearch | None = None) -> None:
    es = es or client()
    es.indices.refresh(index=alias_name())


# --------------------------------------------------------------------------- documents


def _entry_queryset():
    return ArchiveEntry.objects.select_related(
        "applicant__region__parent",
        "attachment__application__applicant",
        "attachment__application__region__parent",
    ).prefetch_related("attachment__application__reviews__department")


def find_codes(text: str) -> list[str]:
    """Every 8–20 character run of digits and capitals (with a digit) in `text`."""
    normal = unicodedata.normalize("NFKC", text or "")
    found = (m.group(0) for m in CODE_RUN.finditer(normal))
    return list(dict.fromkeys(code for code in found if any(c.isdigit() for c in code)))


def region_codes(region) -> tuple[list[str], str | None]:
    """([county code, city code], city code) of a county- or city-level region."""
    if region is None:
        return [], None
    codes, city = [], None
    if region.level == 3:
        codes.append(region.code)
        parent = region.parent
        if parent is not None and parent.level == 2:
            city = parent.code
    elif region.level == 2:
        city = region.code
    if city:
        codes.append(city)
    return codes, city


def entry_year(entry) -> int:
    return timezone.localtime(entry_time(entry)).year


def entry_time(entry):
    return entry.attachment.uploaded_at if entry.attachment_id else entry.created_at


def _amount(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _date(value):
    """A recognised ISO date string as a date (None when absent or unreadable)."""
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def invoice_lines_by_attachment(entries) -> dict[int, list]:
    attachment_ids = [e.attachment_id for e in entries if e.attachment_id]
    lines: dict[int, list] = {}
    if attachment_ids:
        for line in InvoiceLine.objects.filter(invoice_file_id__in=attachment_ids).order_by("pk"):
            lines.setdefault(line.invoice_file_id, []).append(line)
    return lines


def build_document(entry, invoice_lines=()) -> ArchiveDocument:
    application = entry.application
    applicant = entry.applicant or (application.applicant if application else None)
    region = application.region if application else (applicant.region if applicant else None)
    regions, city = region_codes(region)
    fields = entry.fields if isinstance(entry.fields, dict) else {}

    invoice_codes = [line.invoice_code for line in invoice_lines if line.invoice_code]
    invoice_numbers = [line.invoice_number for line in invoice_lines]
    if fields.get("invoice_code"):
        invoice_codes.append(str(fields["invoice_code"]))
    if fields.get("invoice_number"):
        invoice_numbers.append(str(fields["invoice_number"]))
    amount = invoice_lines[0].invoice_amount if invoice_lines else fields.get("amount")
    issued_on = invoice_lines[0].issued_on if invoice_lines else _date(fields.get("issued_on"))

    departments = []
    if application is not None:
        departments = sorted({review.department.code for review in application.reviews.all()})

    applicant_name = applicant.name if applicant else ""
    doc = ArchiveDocument(
        entry_id=entry.pk,
        attachment_id=entry.attachment_id,
        kind=entry.kind,
        status=entry.status,
        application_id=application.pk if application else None,
        reference=application.reference if application else None,
        application_kind=application.kind if application else None,
        application_state=application.state if application else None,
        applicant_id=applicant.pk if applicant else None,
        applicant_name=applicant_name or None,
        credit_code=(applicant.credit_code or None) if applicant else None,
        department=departments,
        region=regions,
        city=city,
        year=entry_year(entry),
        created_at=entry_time(entry),
        submitted_at=application.submitted_at if application else None,
        issued_on=issued_on,
        invoice_code=list(dict.fromkeys(invoice_codes)),
        invoice_number=list(dict.fromkeys(invoice_numbers)),
        invoice_amount=_amount(amount),
        filename=entry.original_name,
        sha256=(entry.sha256 or "").lower() or None,
        codes=find_codes(entry.text),
        text=entry.text,
        text_terms=index_text(entry.text),
        name_terms=index_text(f"{entry.original_name} {applicant_name}"),
        fields=fields,
    )
    doc.meta.id = entry.pk
    return doc


def documents_for(entries) -> list[ArchiveDocument]:
    entries = list(entries)
    lines = invoice_lines_by_attachment(entries)
    return [build_document(e, lines.get(e.attachment_id, [])) for e in entries]


def _actions(index_name: str, entry_ids, counter: list):
    for start in range(0, len(entry_ids), BATCH_SIZE):
        chunk = entry_ids[start : start + BATCH_SIZE]
        for doc in documents_for(_entry_queryset().filter(pk__in=chunk).order_by("pk")):
            counter[0] += 1
            # "create": a document that index_entry() wrote into the new index while
            # the rebuild ran is at least as fresh as this one, so it is kept.
            yield {
                "_op_type": "create",
                "_index": index_name,
                "_id": doc.meta.id,
                "_source": doc.to_dict(),
            }


# --------------------------------------------------------------------------- index management


def rebuild(stdout=None) -> dict:
    """Fill a new concrete index with every entry, then swap the alias to it atomically.

    Returns {"index", "indexed", "updated_meanwhile", "removed", "seconds"}.
    """
    es = client()
    alias = alias_name()
    started = time.monotonic()

    def say(message):
        if stdout is not None:
            stdout.write(message)

    new_name = _new_index_name(alias)
    _create_index(es, new_name)
    say(f"新建索引 {new_name}")
    counter = [0]
    try:
        entry_ids = list(ArchiveEntry.objects.order_by("pk").values_list("pk", flat=True))
        _ok, conflicts = bulk(
            es,
            _actions(new_name, entry_ids, counter),
            chunk_size=BATCH_SIZE,
            refresh=False,
            ignore_status=(409,),
        )
        es.indices.refresh(index=new_name)
        previous = aliased_indices(es)
        actions = [{"remove": {"index": name, "alias": alias}} for name in previous]
        if es.indices.exists(index=alias) and not es.indices.exists_alias(name=alias):
            actions.append({"remove_index": {"index": alias}})
        actions.append({"add": {"index": new_name, "alias": alias}})
        es.indices.update_aliases(body={"actions": actions})
    except Exception:
        es.indices.delete(index=new_name, ignore_unavailable=True)
        raise
    # The old live index, and any left behind by an interrupted rebuild.
    removed = sorted({name for name in previous + concrete_indices(es) if name != new_name})
    for name in removed:
        es.indices.delete(index=name, ignore_unavailable=True)
    mark_reachable()
    seconds = time.monotonic() - started
    say(f"已索引 {counter[0]} 份档案材料；别名 {alias} → {new_name}")
    if conflicts:
        say(f"其中 {len(conflicts)} 份在重建期间已按最新内容写入")
    if removed:
        say(f"已删除旧索引：{', '.join(removed)}")
    say(f"用时 {seconds:.1f} 秒")
    return {
        "index": new_name,
        "indexed": counter[0],
        "updated_meanwhile": len(conflicts),
        "removed": removed,
        "seconds": seconds,
    }


def _write_targets(es: OpenSearch) -> list[str]:
    targets = concrete_indices(es)
    if not targets:
        ensure_alias(es)
        targets = concrete_indices(es)
    return targets


def index_entry(entry, *, refresh_now: bool = False) -> None:
    """(Re)index one entry in the live index and in any index a rebuild is filling."""
    es = client()
    entry = _entry_queryset().filter(pk=entry.pk).first()
    if entry is None:
        return
    (doc,) = documents_for([entry])
    body = doc.to_dict()
    for name in _write_targets(es):
        es.index(index=name, id=entry.pk, body=body, refresh=refresh_now)


def delete_entry(entry_id: int, *, refresh_now: bool = False) -> None:
    es = client()
    for name in concrete_indices(es):
        try:
            es.delete(index=name, id=entry_id, refresh=refresh_now)
        except NotFoundError:
            pass
