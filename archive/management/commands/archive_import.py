"""Import scanned paper archives (licences, certificates, invoices, reports) for retrieval.

    manage.py archive_import PATH... --kind licence|certificate|invoice|report|other
                             [--applicant CREDIT_CODE] [--no-extract]

Walks the given files and folders (JPG, PNG, PDF; anything else is reported and
skipped), checks each file by its bytes like an upload, stores it on the private
storage under ``archive/imports/``, creates its archive entry and reads it at once
(``--no-extract``: queue it for the worker instead). A file already imported (same
SHA-256) is skipped, so the command is safe to run again. One line per file, a summary
at the end; exit code 1 when any file failed.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Applicant
from applications.models import private_storage
from applications.uploads import UploadRejected, display_name, inspect_upload, storage_key
from archive.models import ArchiveEntry
from archive.pipeline import describe_result, run_extraction
from archive.tasks import enqueue_extraction

EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf"}
FORMATS = "jpg,png,pdf"
STORAGE_PREFIX = "archive/imports"
KINDS = ["licence", "certificate", "invoice", "report", "other"]


class Command(BaseCommand):
    help = "导入纸质档案扫描件（JPG/PNG/PDF）并识别文字，供档案检索。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="文件或文件夹")
        parser.add_argument(
            "--kind", required=True, choices=KINDS, help="档案类别（决定识别哪些字段）"
        )
        parser.add_argument(
            "--applicant",
            metavar="CREDIT_CODE",
            help="关联的申请人（统一社会信用代码）；不指定则不关联申请人",
        )
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="只导入并排队，由后台 db_worker 识别（默认导入后立即识别）",
        )

    def handle(self, *args, paths, kind, applicant=None, no_extract=False, **options):
        owner = self._applicant(applicant)
        files = self._collect(paths)
        if not files:
            raise CommandError("给定的路径中没有文件。")

        total = len(files)
        counts = {"added": 0, "existing": 0, "failed": 0, "unsupported": 0, "unreadable": 0}
        for number, (path, shown) in enumerate(files, start=1):
            prefix = f"[{number}/{total}] {shown} …"
            if path.suffix.lower() not in EXTENSIONS:
                counts["unsupported"] += 1
                self.stdout.write(f"{prefix} 已跳过（不支持的格式，只导入 JPG、PNG、PDF）")
                continue
            try:
                entry, created = self._import(path, kind=kind, owner=owner)
            except UploadRejected as exc:
                counts["failed"] += 1
                self.stdout.write(self.style.ERROR(f"{prefix} 失败：{exc.message}"))
                continue
            except OSError as exc:
                counts["failed"] += 1
                self.stdout.write(
                    self.style.ERROR(f"{prefix} 失败：无法读取文件（{exc.strerror or exc}）。")
                )
                continue
            except Exception as exc:  # storage or database trouble: report, go on
                counts["failed"] += 1
                message = getattr(exc, "message", "") or exc.__class__.__name__
                self.stdout.write(self.style.ERROR(f"{prefix} 失败：保存时出错（{message}）。"))
                continue
            if not created:
                counts["existing"] += 1
                self.stdout.write(f"{prefix} 已存在，跳过（档案编号 {entry.pk}）")
                continue
            counts["added"] += 1
            if no_extract:
                enqueue_extraction(entry)
                self.stdout.write(f"{prefix} 已导入，等待后台识别")
                continue
            entry = run_extraction(entry)
            if entry.status == ArchiveEntry.Status.FAILED:
                counts["unreadable"] += 1
                self.stdout.write(self.style.WARNING(f"{prefix} 已导入，{describe_result(entry)}"))
            else:
                self.stdout.write(f"{prefix} {describe_result(entry)}")

        summary = (
            f"共 {total} 个：新增 {counts['added']}，已存在跳过 {counts['existing']}，"
            f"失败 {counts['failed']}"
        )
        if counts["unsupported"]:
            summary += f"，格式不支持跳过 {counts['unsupported']}"
        if counts["unreadable"]:
            summary += (
                f"；其中识别失败 {counts['unreadable']} 个，可用 archive_retry --failed 重新识别"
            )
        summary += "。"
        bad = counts["failed"] or counts["unreadable"]
        self.stdout.write(self.style.ERROR(summary) if bad else self.style.SUCCESS(summary))
        if bad:
            raise SystemExit(1)

    # -- helpers -------------------------------------------------------------------

    def _applicant(self, credit_code: str | None) -> Applicant | None:
        if credit_code is None:
            return None
        code = credit_code.strip().upper()
        if not code:
            raise CommandError("--applicant 需要填写统一社会信用代码。")
        owner = Applicant.objects.filter(credit_code=code).first()
        if owner is None:
            raise CommandError(
                f"找不到统一社会信用代码为 {code} 的申请人，请核对后重试；"
                "不指定 --applicant 时导入的档案不关联申请人。"
            )
        return owner

    def _collect(self, paths: list[str]) -> list[tuple[Path, str]]:
        """(path, name shown) of every file, each folder's files in path order; hidden
        files and folders are left out. A missing path stops before anything is done."""
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise CommandError(f"找不到这些路径，请检查后重试：{'、'.join(missing)}")
        found: list[tuple[Path, str]] = []
        for raw in paths:
            root = Path(raw)
            if root.is_file():
                found.append((root, root.name))
                continue
            inside = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    if not name.startswith("."):
                        path = Path(dirpath) / name
                        inside.append((path, path.relative_to(root).as_posix()))
            found.extend(sorted(inside, key=lambda item: item[0].relative_to(root).parts))
        return found

    def _import(self, path: Path, *, kind: str, owner: Applicant | None):
        """(entry, created): the stored file and its row together, or neither."""
        with path.open("rb") as fh:
            inspection = inspect_upload(fh, name=path.name, formats=FORMATS)
            existing = ArchiveEntry.objects.filter(
                attachment__isnull=True, sha256=inspection.sha256
            ).first()
            if existing is not None:
                return existing, False
            storage = private_storage()
            stored = storage.save(storage_key(STORAGE_PREFIX, inspection.format), File(fh))
        try:
            entry = ArchiveEntry.objects.create(
                file=stored,
                kind=kind,
                applicant=owner,
                original_name=display_name(path.name)[:200],
                format=inspection.format,
                size=inspection.size,
                sha256=inspection.sha256,
                source_path=str(path.resolve())[:500],
            )
        except BaseException:
            storage.delete(stored)
            raise
        return entry, True
