import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.stats_raw import differences
from notifications.summary import rebuild


class Command(BaseCommand):
    help = (
        "重建统计汇总（统计分析页读取的按日汇总表），或用 --check 与明细数据逐项核对。"
        "批量导入或直接改库之后运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="只核对汇总与明细计算结果，不一致时退出码 1"
        )

    def handle(self, *args, check=False, **options):
        if check:
            found = differences(timezone.localdate())
            for line in found:
                self.stderr.write(line)
            if found:
                sys.exit(1)
            self.stdout.write("统计汇总与明细一致。")
            return
        cells = rebuild(stdout=self.stdout)
        self.stdout.write(f"统计汇总已重建：{cells} 个汇总单元。")
