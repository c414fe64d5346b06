"""python manage.py render_document REF KIND --out FILE [--key DEPARTMENT_OR_NOTICE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from applications.models import Application
from documents.kinds import KINDS, select
from documents.rendering import render_html, render_pdf


class Command(BaseCommand):
    help = "把一份办理文书生成为 PDF（或 --html）。"

    def add_arguments(self, parser):
        parser.add_argument("reference", help="申请编号，如 SQ202606100001")
        parser.add_argument("kind", help="文书种类：" + "、".join(KINDS))
        parser.add_argument("--out", required=True, help="输出文件")
        parser.add_argument("--key", default="", help="部门编码（决定书）或告知书编号")
        parser.add_argument("--html", action="store_true", help="输出 HTML 而不是 PDF")

    def handle(self, *args, reference, kind, out, key, html, **options):
        application = Application.objects.filter(reference=reference.strip().upper()).first()
        if application is None:
            raise CommandError(f"申请 {reference} 不存在。")
        document_kind = KINDS.get(kind)
        if document_kind is None:
            raise CommandError(f"没有文书种类“{kind}”；可选：{'、'.join(KINDS)}。")
        issued, reason = select(document_kind, application, key)
        if issued is None:
            raise CommandError(f"申请 {application.reference} 没有{document_kind.title}：{reason}")
        if html:
            data = render_html(document_kind, application, issued).encode()
        else:
            data = render_pdf(document_kind, application, issued)
        path = Path(out)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror}") from exc
        self.stdout.write(f"{issued.title} → {path}（{len(data)} 字节）")
