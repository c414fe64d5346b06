from django.core.management.base import BaseCommand

from notifications.reminders import warn_account_locks

from ._day import add_date_argument, day_from


class Command(BaseCommand):
    help = "提醒 7 天后将因三个月未登录而锁定的账号（每日运行）。"

    def add_arguments(self, parser):
        add_date_argument(parser)

    def handle(self, *args, **options):
        count = warn_account_locks(day_from(options))
        self.stdout.write(f"已提醒 {count} 个账号。")
