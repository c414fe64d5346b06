from django.core.management.base import BaseCommand

from notifications.reminders import send_review_digest

from ._day import add_date_argument, day_from


class Command(BaseCommand):
    help = "向审核人员发送每日提醒：明日到期和已超期的办件（每日运行）。"

    def add_arguments(self, parser):
        add_date_argument(parser)

    def handle(self, *args, **options):
        count = send_review_digest(day_from(options))
        self.stdout.write(f"已向 {count} 名审核人员发送提醒。")
