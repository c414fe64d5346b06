from django.core.management.base import BaseCommand

from subsidies import demo


class Command(BaseCommand):
    help = "创建示例补贴规则（示例数据，非正式政策）"

    def handle(self, *args, **options):
        demo.load(self.stdout)
