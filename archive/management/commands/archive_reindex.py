"""Rebuild the archive's OpenSearch index without downtime.

    manage.py archive_reindex

A new concrete index is filled with every archive entry in batches, then the alias
(``<prefix>archive``) is moved to it in one atomic request and the old index deleted;
searches keep answering from the old index until the swap. On the embedded default
(no OpenSearch) the database answers archive searches directly and there is nothing
to rebuild.
"""

from django.core.management.base import BaseCommand, CommandError
from opensearchpy.exceptions import OpenSearchException

from archive import documents


class Command(BaseCommand):
    help = "重建档案检索的 OpenSearch 索引（新索引建好后原子切换别名，不中断检索）。"

    def handle(self, *args, **options):
        if not documents.is_configured():
            self.stdout.write("档案检索使用数据库（未配置 OpenSearch），无需重建索引。")
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
