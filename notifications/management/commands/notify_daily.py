from django.core.management.base import BaseCommand

from notifications.reminders import send_review_digest, warn_account_locks

from ._day import add_date_argument, day_from


class Command(BaseCommand):
    help = "每日通知：账号锁定提醒和审核每日提醒（重复运行不会重复发送）。"

    def add_arguments(self, parser):
        add_date_argument(parser)

    def handle(self, *args, **options):
        day = day_from(options)
        accounts = warn_account_locks(day)
        reviewers = send_review_digest(day)
        self.stdout.write(f"账号锁定提醒 {accounts} 个，审核提醒 {reviewers} 人。")
