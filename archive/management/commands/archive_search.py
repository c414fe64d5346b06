"""Search the archive from the command line, with a superuser's view of it.

    manage.py archive_search "QUERY" [--kind K] [--limit N] [--json]

``--json`` prints a JSON list of hits (entry and attachment id, kind, application
reference, file name, score, highlighted fragment with <mark> tags, duplicate flags
and the engine that answered); otherwise a plain table.
"""

from __future__ import annotations

import html
import json
import re
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from archive.models import ArchiveEntry
from archive.search import MAX_PER_PAGE, QueryTooLong, archive_search

# The command sees the whole archive, as a superuser does.
ARCHIVE_OPERATOR = SimpleNamespace(is_authenticated=True, is_superuser=True, pk=None)


def plain(fragment: str) -> str:
    """An HTML fragment as text, the marked words in 【】."""
    text = re.sub(r"<mark>(.*?)</mark>", r"【\1】", str(fragment))
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class Command(BaseCommand):
    help = "检索档案材料（以超级管理员的范围）。"

    def add_arguments(self, parser):
        parser.add_argument("query", help="检索词，如 补贴、合格证、统一社会信用代码或发票号码")
        parser.add_argument(
            "--kind",
            action="append",
            choices=[value for value, _label in ArchiveEntry.Kind.choices],
            help="只看这一类档案（可重复）",
        )
        parser.add_argument("--limit", type=int, default=20, help="最多显示多少条（默认 20）")
        parser.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出")

    def handle(self, *args, query, kind, limit, as_json, **options):
        if limit < 1 or limit > MAX_PER_PAGE:
            raise CommandError(f"--limit 应在 1 到 {MAX_PER_PAGE} 之间。")
        try:
            results = archive_search(ARCHIVE_OPERATOR, query, kind=kind, per_page=limit)
        except QueryTooLong as exc:
            raise CommandError(str(exc)) from exc
        rows = [
            {
                "entry_id": hit.entry.pk,
                "attachment_id": hit.entry.attachment_id,
                "kind": hit.entry.kind,
                "reference": hit.application.reference if hit.application else None,
                "filename": hit.entry.original_name,
                "score": round(hit.score, 3),
                "exact": hit.exact,
                "highlight": str(hit.highlight),
                "duplicate_flags": hit.duplicate_flags,
                "engine": results.engine,
            }
            for hit in results.hits
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"“{results.query}”：共 {results.total} 份，显示 {len(rows)} 份"
            f"（检索引擎：{results.engine_label}）"
        )
        for row in rows:
            flags = "、".join(row["duplicate_flags"])
            self.stdout.write(
                f"{row['entry_id']:>6}  {row['kind']:<11} {row['reference'] or '导入档案':<15} "
                f"{row['score']:>9.2f}  {row['filename']}" + (f"  [{flags}]" if flags else "")
            )
            if row["highlight"]:
                self.stdout.write(f"        {plain(row['highlight'])}")
