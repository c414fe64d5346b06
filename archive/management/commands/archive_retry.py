"""Start text recognition again for archive entries.

    manage.py archive_retry [ID...] [--failed] [--pending] [--stuck MINUTES] [--missing]
                            [--inline]

Without IDs, picks the entries by status: ``--failed`` (the default when nothing is
chosen), ``--pending`` (queued but never run, e.g. when the queue was down), and
``--stuck MINUTES`` (still "running" after that long: the worker died); ``--missing``
first creates the entries of attachments uploaded before the archive existed. Each one
gets a fresh set of attempts and is queued for the worker, or read here and now with
``--inline``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from applications.models import Attachment
from archive.models import ArchiveEntry
from archive.pipeline import (
    describe_result,
    entry_for_attachment,
    reset_for_retry,
    run_extraction,
)
from archive.tasks import enqueue_extraction


class Command(BaseCommand):
    help = "重新识别档案材料（默认：识别失败的）。"

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="档案编号")
        parser.add_argument("--failed", action="store_true", help="识别失败的材料")
        parser.add_argument("--pending", action="store_true", help="排队中但从未识别的材料")
        parser.add_argument(
            "--stuck",
            type=int,
            metavar="MINUTES",
            help="“识别中”超过这么多分钟的材料（后台进程中断时）",
        )
        parser.add_argument(
            "--missing", action="store_true", help="为尚无档案记录的申请材料补建记录并识别"
        )
        parser.add_argument(
            "--inline", action="store_true", help="在本命令中立即识别，而不是交给后台"
        )

    def handle(self, *args, ids, failed, pending, stuck, missing, inline, **options):
        entries: list[ArchiveEntry] = []
        if missing and not ids:
            entries = self._create_missing()
        if ids or failed or pending or stuck or not missing:
            seen = {e.pk for e in entries}
            chosen = self._select(ids, failed=failed, pending=pending, stuck=stuck)
            entries += [e for e in chosen if e.pk not in seen]
        total = len(entries)
        if not total:
            self.stdout.write("没有需要重新识别的材料。")
            return
        problems = 0
        for number, entry in enumerate(entries, start=1):
            reset_for_retry(entry)
            prefix = f"[{number}/{total}] {entry.original_name}（档案编号 {entry.pk}）…"
            if not inline:
                enqueue_extraction(entry)
                self.stdout.write(f"{prefix} 已重新排队")
                continue
            entry = run_extraction(entry)
            if entry.status == ArchiveEntry.Status.FAILED:
                problems += 1
                self.stdout.write(self.style.WARNING(f"{prefix} {describe_result(entry)}"))
            else:
                self.stdout.write(f"{prefix} {describe_result(entry)}")
        if inline:
            summary = f"共 {total} 个：识别完成 {total - problems}，失败 {problems}。"
        else:
            summary = f"共 {total} 个已重新排队，由后台 db_worker 识别。"
        self.stdout.write(self.style.ERROR(summary) if problems else self.style.SUCCESS(summary))
        if problems:
            raise SystemExit(1)

    def _create_missing(self) -> list[ArchiveEntry]:
        attachments = Attachment.objects.filter(archive_entry__isnull=True).select_related(
            "application", "requirement"
        )
        entries = [entry_for_attachment(a) for a in attachments.order_by("pk")]
        if entries:
            self.stdout.write(f"已为 {len(entries)} 份申请材料补建档案记录。")
        return entries

    def _select(self, ids, *, failed, pending, stuck):
        if ids:
            found = list(ArchiveEntry.objects.filter(pk__in=ids).order_by("pk"))
            missing = sorted(set(ids) - {e.pk for e in found})
            if missing:
                raise CommandError(
                    f"找不到这些档案编号：{'、'.join(str(pk) for pk in missing)}，请核对后重试。"
                )
            return found
        if stuck is not None and stuck < 1:
            raise CommandError("--stuck 的分钟数应大于 0。")
        status = ArchiveEntry.Status
        if not (failed or pending or stuck):
            failed = True
        condition = Q(pk__in=[])
        if failed:
            condition |= Q(status=status.FAILED)
        if pending:
            condition |= Q(status=status.PENDING)
        if stuck:
            since = timezone.now() - timedelta(minutes=stuck)
            condition |= Q(status=status.RUNNING, started_at__lt=since)
        return list(ArchiveEntry.objects.filter(condition).order_by("pk"))
