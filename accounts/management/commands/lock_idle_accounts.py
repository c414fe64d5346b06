from django.core.management.base import BaseCommand

from accounts.services import lock_idle


class Command(BaseCommand):
    help = "锁定超过三个月未登录的申请人账号（建议每日定时执行；登录时也会即时检查）。"

    def handle(self, *args, **options):
        count = lock_idle()
        self.stdout.write(f"已锁定 {count} 个超过三个月未登录的账号。")
