"""Cut the documents' fonts from the system's Noto CJK and DejaVu (documents/fonts.py).

Idempotent: a face already built for the installed source font is left alone. A source
font that is not installed is reported and skipped (the documents then print with the
system fonts alone), so ``make install`` never fails on it.
"""

import time

from django.core.management.base import BaseCommand

from documents import fonts


class Command(BaseCommand):
    help = "构建办理文书 PDF 使用的精简字体（已存在则跳过）。"

    def handle(self, *args, **options):
        for face in (fonts.SERIF, fonts.SYMBOL):
            started = time.perf_counter()
            try:
                path, built = fonts.build(face)
            except OSError as exc:
                self.stderr.write(f"跳过字体“{face.family}”：{exc}")
                continue
            if built:
                seconds = time.perf_counter() - started
                size = path.stat().st_size // 1024
                self.stdout.write(f"{face.family}: {path} ({size} KiB, {seconds:.1f} s)")
            else:
                self.stdout.write(f"{face.family}: {path} (already built)")
        fonts.forget()
