"""python manage.py load_catalogue [--file PATH]"""

from django.core.management.base import BaseCommand, CommandError

from catalogue.loading import CatalogueError, describe_counts, load_catalogue


class Command(BaseCommand):
    help = (
        "导入或更新办事事项目录（部门、事项、申请材料），按编码匹配已有记录；"
        "不会删除管理员在后台新增的记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            metavar="PATH",
            help="事项目录 JSON 文件，默认使用 catalogue/data/catalogue.json",
        )

    def handle(self, *args, **options):
        try:
            counts = load_catalogue(path=options["file"])
        except FileNotFoundError as exc:
            raise CommandError(f"找不到事项目录文件：{exc.filename}") from exc
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("办事事项目录已导入：" + describe_counts(counts)))
