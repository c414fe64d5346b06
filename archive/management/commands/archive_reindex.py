"""Rebuild the archive's OpenSearch index without downtime.

    manage.py archive_reindex

A new concrete index is filled with every archive entry in batches, then the alias
(``<prefix>archive``) is moved to it in one atomic request and the old index deleted;
searches keep answering from the old index until the swap.

    manage.py archive_reindex --database

rebuilds the database engine's search table (SQLite FTS5 / PostgreSQL GIN, see
``archive.search.table``), after bulk imports or an upgrade; without OpenSearch that
is all the command does.
"""

from django.core.management.base import BaseCommand, CommandError
from opensearchpy.exceptions import OpenSearchException

from archive import documents
from archive.search import table


class Command(BaseCommand):
    help = "重建档案检索的 OpenSearch 索引（新索引建好后原子切换别名，不中断检索）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", action="store_true", help="重建数据库检索表（SQLite FTS5 / PostgreSQL）"
        )

    def handle(self, *args, database=False, **options):
        if database or not documents.is_configured():
            count = table.rebuild(stdout=self.stdout)
            self.stdout.write(f"数据库检索表已重建：{count} 份档案材料。")
            return
        try:
            stats = documents.rebuild(stdout=self.stdout)
        except OpenSearchException as exc:
            raise CommandError(
                f"重建档案索引失败：OpenSearch 出错（{exc}）。旧索引保持不变。"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{stats['indexed']} 份档案材料，用时 {stats['seconds']:.1f} 秒。"
            )
        )
