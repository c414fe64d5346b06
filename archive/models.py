"""The archive: one entry per stored material, with the text and fields read from it.

An entry belongs either to an application's attachment (created when the file is
uploaded) or to a file imported from the paper archive (`archive_import`), which may
have no application. Extraction runs in the background; its progress and failures are
visible to staff, and a failed extraction never blocks the application.
"""

from django.db import models
from django.utils import timezone

from applications.models import Attachment, private_storage
from catalogue.models import MaterialRequirement


class ArchiveEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "识别中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    Kind = MaterialRequirement.ArchiveKind
    MAX_ATTEMPTS = 3

    attachment = models.OneToOneField(
        Attachment,
        verbose_name="申请材料",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="archive_entry",
    )
    file = models.FileField("文件（导入档案）", storage=private_storage, max_length=255, blank=True)
    kind = models.CharField("档案类别", max_length=20, choices=Kind.choices, db_index=True)
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="申请人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="archive_entries",
    )
    original_name = models.CharField("文件名", max_length=200)
    format = models.CharField("格式", max_length=10)
    size = models.BigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    source_path = models.CharField(
        "导入来源", max_length=500, blank=True, help_text="archive_import 导入时的原始路径。"
    )
    status = models.CharField(
        "识别状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("失败原因", blank=True)
    method = models.CharField("识别方式", max_length=20, blank=True)
    pages = models.PositiveIntegerField("页数", default=0)
    ocr_pages = models.PositiveIntegerField("OCR 页数", default=0)
    text = models.TextField("识别文字", blank=True)
    fields = models.JSONField("识别字段", default=dict, blank=True)
    qr_payloads = models.JSONField("二维码内容", default=list, blank=True)
    # Copies of the recognised invoice code and number (also in `fields`), indexed:
    # duplicate detection and exact-number search look them up on every results page.
    invoice_code = models.CharField("识别的发票代码", max_length=32, blank=True, db_index=True)
    invoice_number = models.CharField("识别的发票号码", max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "档案材料"
        verbose_name_plural = "档案材料"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attachment__isnull=False) | ~models.Q(file=""),
                name="archive_entry_has_a_file",
            )
        ]

    def __str__(self):
        return self.original_name

    def save(self, *args, **kwargs):
        for name, value in indexed_invoice(self.fields).items():
            setattr(self, name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "fields" in update_fields:
            kwargs["update_fields"] = {*update_fields, "invoice_code", "invoice_number"}
        super().save(*args, **kwargs)

    @property
    def application(self):
        return self.attachment.application if self.attachment_id else None

    @property
    def stored_file(self):
        """The FieldFile holding the bytes, wherever the entry came from."""
        return self.attachment.file if self.attachment_id else self.file


def indexed_invoice(fields) -> dict[str, str]:
    """The indexed columns that mirror recognised `fields`: write them with the fields
    (``ArchiveEntry.save`` does; a queryset ``update(fields=...)`` must add them)."""
    fields = fields if isinstance(fields, dict) else {}
    return {
        "invoice_code": str(fields.get("invoice_code") or "")[:32],
        "invoice_number": str(fields.get("invoice_number") or "")[:32],
    }


class SearchText(models.Model):
    """The database engine's index terms: one row per entry (its file name, applicant
    name and text, laid out as search/text.py describes), matched by SQLite FTS5 (the
    ``archive_search_fts`` table, kept in step by triggers) or PostgreSQL GIN indexes
    on the stored columns ``terms_tsv`` and ``names_tsv`` (migration 0006). Written by
    :mod:`archive.search.table`; see there."""

    entry = models.OneToOneField(
        ArchiveEntry, on_delete=models.CASCADE, primary_key=True, related_name="search_text"
    )
    # The text had more terms than the table keeps: its tail is searched by scanning.
    truncated = models.BooleanField(default=False)
    names = models.TextField(default="")  # the terms of the file and applicant names
    terms = models.TextField(blank=True)
    # Copies of the entry's SearchRow columns that a search without codes reads besides
    # the terms (scope, facet group, region, order), so that PostgreSQL takes its
    # matches from this table alone instead of joining tens of thousands of them to
    # the rows. Written with the row. Nullable (also the strings): with a default Django
    # rebuilds the table on SQLite, and the FTS5 triggers on it would be lost.
    time = models.DateTimeField(null=True)
    facet_group = models.BigIntegerField(null=True)
    city = models.CharField(max_length=12, null=True)  # noqa: DJ001
    county = models.CharField(max_length=12, null=True)  # noqa: DJ001
    state = models.CharField(max_length=20, null=True)  # noqa: DJ001
    departments = models.CharField(max_length=200, null=True)  # noqa: DJ001

    COPIED = ("time", "facet_group", "city", "county", "state", "departments")

    class Meta:
        indexes = [
            models.Index(
                fields=["entry"], condition=models.Q(truncated=True), name="archive_search_cut"
            )
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.terms[:40]}"


class SearchRow(models.Model):
    """What the database engine filters, counts and orders by, one narrow row per entry,
    copied from the entry, its application and applicant (kind, application type and
    state, county and city, year, upload time; the application for the reviewing
    departments). Kept apart from the terms so that reading it for tens of thousands of
    matches touches small rows only. Written with the entry's :class:`SearchText`."""

    entry = models.OneToOneField(
        ArchiveEntry, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The entry's application (none for a paper-archive import): reviews and scope.
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, default="")
    app_kind = models.CharField(max_length=40, default="")
    state = models.CharField(max_length=20, default="")
    city = models.CharField(max_length=12, default="")
    county = models.CharField(max_length=12, default="")
    year = models.IntegerField(null=True)
    time = models.DateTimeField(null=True)  # uploaded (or imported): newest first
    # The application's codes, upper case: its applicant's credit code and its reference.
    # Columns, not SearchCode rows: a prefix such as 9141 matches most of the archive,
    # and a column test costs nothing per row where a look-up of code rows does.
    credit_code = models.CharField(max_length=64, default="")
    reference = models.CharField(max_length=64, default="")
    # The codes of the departments reviewing the application, "|power|urban|" ("" without
    # reviews), as the OpenSearch document has them: scope, the department filter and its
    # facet test the row instead of joining the reviews for every match.
    departments = models.CharField(max_length=200, default="")
    # The row's facet group: a 63-bit hash of (kind, app_kind, state, city, year,
    # departments), see archive/search/_facets.py. PostgreSQL counts the matches per
    # group by this one integer instead of six text columns. Nullable only so that SQLite
    # adds the column in place (a default would rebuild the table without its rowid key,
    # migration 0007); every row is written with its group.
    facet_group = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            # Browsing: newest first, and the facet pass over everything in index order.
            models.Index(fields=["-time", "-entry"], name="archive_row_time"),
            # The counting pass: grouped in this order while walking the index, covering
            # every column it tests (on SQLite the entry is the rowid, which every index
            # holds; migration 0007).
            models.Index(
                fields=[
                    "kind",
                    "app_kind",
                    "state",
                    "city",
                    "year",
                    "departments",
                    "county",
                    "credit_code",
                    "reference",
                ],
                name="archive_row_facets",
            ),
            # Exact and prefix look-ups (LIKE 'X%' on PostgreSQL whatever the collation).
            models.Index(
                fields=["credit_code"], name="archive_row_credit", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["reference"],
                name="archive_row_reference",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.kind}"


class SearchFacetGroup(models.Model):
    """One row per facet group (``SearchRow.facet_group``, see archive/search/_facets.py)
    with the grouped columns it stands for. PostgreSQL counts the matches per group key
    and reads each group's columns here, instead of from one of its matches. Written
    with the search rows (a group that has lost its rows does no harm: only groups with
    matches are read), never updated: the key is a hash of the columns."""

    key = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=20, default="")
    app_kind = models.CharField(max_length=40, default="")
    state = models.CharField(max_length=20, default="")
    city = models.CharField(max_length=12, default="")
    year = models.IntegerField(null=True)
    departments = models.CharField(max_length=200, default="")

    def __str__(self):
        return f"{self.key}: {self.kind} {self.app_kind} {self.state} {self.city} {self.year}"


class SearchCode(models.Model):
    """A code an entry can be found by, exactly or by prefix (upper case), on the
    material itself: its SHA-256, recognised or declared invoice code and number, the
    8–20 character codes in its text. (The application's codes are columns of
    :class:`SearchRow`; ``APPLICATION`` rows are no longer written.)
    Written with the entry's :class:`SearchText` and :class:`SearchRow`."""

    class Source(models.TextChoices):
        SHA = "sha", "SHA-256"
        INVOICE = "invoice", "发票代码/号码"
        TEXT = "text", "文字中的编码"
        APPLICATION = "application", "信用代码/申请编号"

    entry = models.ForeignKey(
        ArchiveEntry, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code = models.CharField(max_length=64)
    source = models.CharField(max_length=12, choices=Source.choices)

    class Meta:
        indexes = [
            # Matches of a code or prefix; the codes of one entry (ranking), both covering.
            models.Index(fields=["code", "source", "entry"], name="archive_code_lookup"),
            models.Index(fields=["entry", "code", "source"], name="archive_code_entry"),
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.code}"
