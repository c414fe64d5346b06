from django.core.management.base import BaseCommand

from interconnect.retention import KEEP, prune_seen


class Command(BaseCommand):
    help = "删除已超出时间窗口的互联互通防重放记录（web 进程也会每分钟自动清理）。"

    def handle(self, *args, **options):
        deleted = prune_seen()
        minutes = int(KEEP.total_seconds() // 60)
        self.stdout.write(f"已删除 {deleted} 条早于 {minutes} 分钟前的防重放记录。")
