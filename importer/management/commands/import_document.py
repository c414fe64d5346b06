"""python manage.py import_document PATH [PATH...] --kind policy|guide [--parent SLUG] [--publish]"""

from urllib.parse import unquote

from django.core.management.base import BaseCommand, CommandError

from importer.build import ImporterError, check_kind, expand_paths, import_document


class Command(BaseCommand):
    help = "导入从 PDF 提取的 UTF-8 文本：政策文件（policy）或使用帮助（guide）。再次导入同一文档时更新原页面。"

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="UTF-8 文本文件，或包含 .txt 文件的文件夹"
        )
        parser.add_argument(
            "--kind",
            help="文档类型：policy（政策文件）、guide（使用帮助）或 auto（有发文字号的按政策文件导入）",
        )
        parser.add_argument(
            "--parent", metavar="SLUG", help="栏目页的别名（slug），默认第一个栏目页"
        )
        parser.add_argument(
            "--publish", action="store_true", help="导入后立即发布（默认保存为草稿）"
        )

    def handle(self, *args, **options):
        kind = options["kind"]
        if not kind:
            raise CommandError(
                "请用 --kind 指定文档类型：policy（政策文件）、guide（使用帮助）或 auto（自动识别）。"
            )
        try:
            check_kind(kind)
        except ImporterError as exc:
            raise CommandError(str(exc)) from exc

        paths = expand_paths(options["paths"])
        if not paths:
            raise CommandError("没有找到要导入的 .txt 文件：" + "、".join(options["paths"]))
        failures = []
        for path in paths:
            try:
                page, created = import_document(
                    path, kind, parent=options["parent"], publish=options["publish"]
                )
            except ImporterError as exc:
                failures.append((path, str(exc)))
                if len(paths) > 1:
                    self.stderr.write(f"导入失败：{path}：{exc}")
                continue
            action = "已创建" if created else "已更新"
            state = "" if options["publish"] else "（草稿，未发布）"
            url = unquote(page.full_url or page.url or "")
            self.stdout.write(self.style.SUCCESS(f"{action}{state}：{page.title}  {url}"))

        if len(paths) == 1 and failures:
            raise CommandError(failures[0][1])
        if failures:
            lines = "\n".join(f"{path}：{message}" for path, message in failures)
            raise CommandError(f"{len(failures)} 个文件导入失败：\n{lines}")
