"""Benchmark: recognition accuracy of the OCR engine in use, and of the previous engine
beside it, on the same generated corpus in the same run.

Run with ``make bench`` (or ``.venv/bin/python bench/ocr_accuracy.py``). See bench/README.md.

1. A corpus of ``--count`` (30) document images is drawn with :mod:`cms.samples`:
   营业执照, 增值税电子普通发票 (old layout), 数电票 and 电工进网作业许可证 in turn, every
   one with its own values (credit codes, names, numbers, dates, amounts), the body
   text in Noto Sans CJK or Noto Serif CJK by turns, scaled so the body text is 14–32 px
   high, rotated by up to ±2°, blurred, with Gaussian noise, saved as JPEG at quality
   40–70. What each image says is recorded while it is drawn (every string handed to
   Pillow) together with the fields it prints.
2. Each engine reads every image in a process of its own, through
   ``archive.extract.extract(path, "jpg")`` -- the call the archive worker makes (image
   decode, QR scan, scaling, OCR, reading order): the engine in use with this
   virtualenv's Python, the previous engine (``rapidocr-onnxruntime`` 1.4.4) with the
   Python of a throwaway virtualenv named by ``--baseline-python`` (default
   ``$OCR_BASELINE_PYTHON``, else ``/tmp/ocr-old-venv/bin/python`` when it exists). For
   the previous engine the worker's ``_engine()`` is handed an adapter that turns its
   ``(results, elapsed)`` answer into the ``RapidOCROutput`` shape; everything else is the
   same code. One throwaway image is read first (model loading, not counted).
3. Figures: **character accuracy** = 1 − character errors / characters drawn, where the
   errors are counted on the multiset of characters (NFKC, whitespace removed) -- a
   misread, a missed and an invented character count one each, the reading order does
   not count; **exact-field accuracy** = fields recognised exactly right by
   ``archive.fields.recognise`` from the OCR text alone (QR codes left out, they do not
   depend on the engine) / fields printed; per-image p50/p95 seconds and the reading
   process's peak RSS.

Exit status 1 when the engine in use reads fewer than ``--min-char-accuracy`` (98 %) of
the characters or ``--min-field-accuracy`` (85 %) of the fields; 2 when it cannot run.
The previous engine is only a baseline: missing, it is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_BASELINE = Path("/tmp/ocr-old-venv/bin/python")
KINDS = ("licence", "invoice", "digital", "certificate")
BASE_PX = {"licence": 36, "invoice": 32, "digital": 30, "certificate": 34}  # body text drawn
COMPANIES = [
    "河南示例充电科技有限公司",
    "信阳示例建设工程有限公司",
    "郑州市绿源新能源科技有限公司",
    "洛阳示例电力工程有限公司",
    "南阳市宛城区示例农机农民专业合作社",
    "开封示例智慧能源股份有限公司",
]
SELLERS = ["信阳市示例电气设备有限公司", "许昌示例电气有限公司", "新乡市示例电缆有限公司"]
PEOPLE = ["张三", "李建国", "王晓明", "赵敏", "欧阳小明", "刘建军", "陈静", "孙立新"]
COUNTIES = ["411502", "411503", "410102", "410105", "410302", "411102", "411302", "410702"]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CAPITALS = {
    "壹仟万元整": Decimal("1000"),
    "伍佰万元整": Decimal("500"),
    "贰仟万元整": Decimal("2000"),
}


class BenchError(RuntimeError):
    """The benchmark could not run (not a measurement failure)."""


@dataclass
class Sample:
    name: str
    kind: str
    text: str  # every string drawn, concatenated
    fields: dict  # what archive.fields.recognise should find
    family: str = ""
    px: int = 0


# --------------------------------------------------------------------------- corpus


def _record_drawn_text():
    """Patch Pillow's ImageDraw.text to remember the strings drawn; returns (list, undo)."""
    from PIL import ImageDraw

    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def text(self, xy, text, *args, **kwargs):
        drawn.append(str(text))
        return original(self, xy, text, *args, **kwargs)

    ImageDraw.ImageDraw.text = text

    def undo():
        ImageDraw.ImageDraw.text = original

    return drawn, undo


def _values(rng: random.Random, kind: str) -> tuple[dict, dict]:
    """(generator keyword arguments, expected fields) for one document."""
    from cms import samples

    day = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
    if kind == "licence":
        code = samples.make_credit_code(
            f"{rng.choice(['91', '93', 'N2'])}{rng.choice(COUNTIES)}MA"
            + "".join(rng.choice(ALPHABET) for _ in range(7))
        )
        capital = rng.choice(list(CAPITALS))
        name, rep = rng.choice(COMPANIES), rng.choice(PEOPLE)
        kwargs = dict(
            credit_code=code,
            name=name,
            legal_representative=rep,
            capital=capital,
            registered_on=day,
        )
        fields = dict(
            credit_code=code,
            name=name,
            registered_capital=CAPITALS[capital],
            legal_representative=rep,
            registered_on=day,
        )
        return kwargs, fields
    if kind == "certificate":
        number = f"4115{rng.randrange(10**9, 10**10)}"
        holder = rng.choice(PEOPLE)
        kwargs = dict(number=number, holder=holder, valid_until=day + timedelta(days=900))
        fields = dict(
            certificate_number=number, holder_name=holder, certificate_type="电工进网作业许可证"
        )
        return kwargs, fields
    excl = Decimal(rng.randrange(1000, 500000)) + Decimal(rng.randrange(100)) / 100
    total = (excl * Decimal("1.13")).quantize(Decimal("0.01"))
    invoice = dict(
        invoice_number=str(rng.randrange(10**7, 10**8)),
        issued_on=day,
        amount=total,
        amount_excl_tax=excl,
        buyer_name=rng.choice(COMPANIES),
        seller_name=rng.choice(SELLERS),
    )
    if kind == "invoice":
        invoice.update(
            invoice_code=f"0410{rng.randrange(10**7, 10**8)}",
            check_code="".join(rng.choice("0123456789") for _ in range(20)),
        )
    else:
        invoice["invoice_number"] = f"{day.year % 100}41{rng.randrange(10**15, 10**16)}"
    fields = {k: v for k, v in invoice.items() if k != "buyer_code"}
    return {"invoice": invoice}, fields


def _degrade(img, rng: random.Random, px: int, base: int):
    """Scale to the text height, rotate, blur, add noise (JPEG is applied on saving)."""
    import numpy as np
    from PIL import Image, ImageFilter

    ratio = px / base
    img = img.resize(
        (round(img.width * ratio), round(img.height * ratio)), Image.Resampling.LANCZOS
    )
    img = img.rotate(
        rng.uniform(-2, 2), resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"
    )
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.0)))
    array = np.asarray(img).astype(np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(3, 10), array.shape)
    return Image.fromarray(np.clip(array + noise, 0, 255).astype(np.uint8))


def corpus(folder: Path, count: int, seed: int) -> list[Sample]:
    from cms import samples

    if not samples.fonts_available():
        raise BenchError(f"the Noto CJK fonts are missing ({samples.FONT_DIR})")
    rng = random.Random(seed)
    drawers = {
        "licence": samples.licence_image,
        "invoice": lambda **kw: samples.invoice_image(None, **kw),
        "digital": samples.digital_invoice_image,
        "certificate": samples.certificate_image,
    }
    pxs = [14 + round(18 * i / max(1, count - 1)) for i in range(count)]
    rng.shuffle(pxs)
    found = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        family = ("sans", "serif")[(i // len(KINDS)) % 2]
        kwargs, fields = _values(rng, kind)
        drawn, undo = _record_drawn_text()
        try:
            img = drawers[kind](family=family, **kwargs)
        finally:
            undo()
        img = _degrade(img, rng, pxs[i], BASE_PX[kind])
        name = f"{i + 1:02d}-{kind}.jpg"
        img.save(folder / name, "JPEG", quality=rng.randint(40, 70))
        found.append(Sample(name, kind, "".join(drawn), fields, family, pxs[i]))
    return found


# --------------------------------------------------------------------------- reading


class _PreviousEngine:
    """rapidocr-onnxruntime 1.4.4 behind the RapidOCROutput shape the worker expects."""

    def __init__(self):
        from rapidocr_onnxruntime import RapidOCR

        self.engine = RapidOCR()

    def __call__(self, array):
        results, _elapsed = self.engine(array)
        if not results:
            return SimpleNamespace(boxes=None, txts=None, scores=None)
        return SimpleNamespace(
            boxes=[r[0] for r in results],
            txts=[r[1] for r in results],
            scores=[r[2] for r in results],
        )


def read_folder(folder: Path, engine: str) -> None:
    """The reading process: every image of the manifest through extract(); JSON out."""
    from importlib.metadata import version

    from archive import extract as ex

    started = time.perf_counter()
    if engine == "previous":
        ex._ocr_engine = _PreviousEngine()
        label = f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')}"
    else:
        ex._engine()
        label = f"rapidocr {version('rapidocr')}"
    names = json.loads((folder / "manifest.json").read_text())
    ex.extract(folder / names[0], "jpg")  # warm-up: sessions load on the first call
    load = time.perf_counter() - started
    reads = []
    for name in names:
        started = time.perf_counter()
        result = ex.extract(folder / name, "jpg")
        reads.append({"name": name, "text": result.text, "seconds": time.perf_counter() - started})
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        "BENCH-JSON "
        + json.dumps({"engine": label, "load": load, "rss_kb": peak_kb, "reads": reads})
    )


def run_reader(python: str, folder: Path, engine: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [python, str(Path(__file__).resolve()), "--read", str(folder), "--engine", engine],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line.removeprefix("BENCH-JSON "))
    raise BenchError(f"{engine} engine ({python}) failed:\n{done.stderr[-3000:]}")


# --------------------------------------------------------------------------- scoring


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def char_errors(truth: str, read: str) -> int:
    want, got = Counter(squeeze(truth)), Counter(squeeze(read))
    missing = sum((want - got).values())
    extra = sum((got - want).values())
    return max(missing, extra)


def same(a, b) -> bool:
    from archive.fields import normalise_code, normalise_name

    if isinstance(a, Decimal | date):
        return a == b
    return normalise_code(a) == normalise_code(b) or normalise_name(a) == normalise_name(b)


@dataclass
class Score:
    engine: str
    chars: int = 0
    errors: int = 0
    fields: int = 0
    right: int = 0
    seconds: list[float] = field(default_factory=list)
    load: float = 0.0
    rss_mb: float = 0.0
    wrong: list[str] = field(default_factory=list)

    @property
    def char_accuracy(self) -> float:
        return 1 - self.errors / max(1, self.chars)

    @property
    def field_accuracy(self) -> float:
        return self.right / max(1, self.fields)


def score(found: dict, corpus_: list[Sample]) -> Score:
    from archive.fields import recognise

    result = Score(found["engine"], load=found["load"], rss_mb=found["rss_kb"] / 1024)
    by_name = {r["name"]: r for r in found["reads"]}
    for sample in corpus_:
        read = by_name[sample.name]
        result.seconds.append(read["seconds"])
        result.chars += len(squeeze(sample.text))
        result.errors += char_errors(sample.text, read["text"])
        kind = "invoice" if sample.kind == "digital" else sample.kind
        fields = recognise(kind, read["text"])
        for key, want in sample.fields.items():
            result.fields += 1
            got = fields.get(key)
            if got is not None and same(want, got):
                result.right += 1
            else:
                result.wrong.append(f"{sample.name} {key}: {got!r} (printed {want})")
    return result


def pct(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(scores: list[Score], corpus_: list[Sample]) -> None:
    kinds = Counter(s.kind for s in corpus_)
    chars = scores[0].chars
    print(
        f"corpus: {len(corpus_)} JPEG images ({kinds['licence']} 营业执照, {kinds['invoice']} "
        f"增值税电子普通发票, {kinds['digital']} 数电票, {kinds['certificate']} 电工进网作业许可证); "
        "Noto Sans CJK and Noto Serif CJK body text, 14–32 px, rotated ±2°, blurred, noise, "
        f"JPEG quality 40–70; {chars} characters drawn, {scores[0].fields} fields printed"
    )
    print(
        f"  {'engine':<28} {'char errors':>12} {'char accuracy':>14} {'fields exact':>13} "
        f"{'field accuracy':>15} {'s/image p50':>12} {'p95':>6} {'load':>6} {'peak RSS':>9}"
    )
    for s in scores:
        print(
            f"  {s.engine:<28} {s.errors:>5} / {s.chars:<6} {s.char_accuracy:>13.2%} "
            f"{s.right:>6} / {s.fields:<5} {s.field_accuracy:>14.1%} "
            f"{pct(s.seconds, 50):>11.2f}s {pct(s.seconds, 95):>5.2f}s {s.load:>5.1f}s "
            f"{s.rss_mb:>6.0f} MB"
        )
    for s in scores:
        for line in s.wrong[:12]:
            print(f"    {s.engine}: {line}")
        if len(s.wrong) > 12:
            print(f"    {s.engine}: … {len(s.wrong) - 12} more fields wrong")


def baseline_python(arg: str | None) -> str | None:
    candidate = arg or os.environ.get("OCR_BASELINE_PYTHON") or ""
    if candidate:
        return candidate
    return str(DEFAULT_BASELINE) if DEFAULT_BASELINE.exists() else None


def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-ocr-"))
    try:
        print(f"drawing {args.count} images ...", flush=True)
        samples_ = corpus(tmp, args.count, args.seed)
        (tmp / "manifest.json").write_text(json.dumps([s.name for s in samples_]))
        scores = [score(run_reader(sys.executable, tmp, "current"), samples_)]
        previous = baseline_python(args.baseline_python)
        if previous:
            scores.append(score(run_reader(previous, tmp, "previous"), samples_))
        print()
        report(scores, samples_)
        if not previous:
            print(
                "  previous engine not measured: create its throwaway virtualenv with\n"
                "    python3 -m venv /tmp/ocr-old-venv && /tmp/ocr-old-venv/bin/pip install "
                "rapidocr-onnxruntime==1.4.4 pillow==13.0.0 numpy==2.4.6 zxing-cpp==3.1.1"
            )
        current = scores[0]
        passed = (
            current.char_accuracy * 100 >= args.min_char_accuracy
            and current.field_accuracy * 100 >= args.min_field_accuracy
        )
        line = (
            f"OCR accuracy, {current.engine}: characters {current.char_accuracy:.2%} "
            f"(target ≥ {args.min_char_accuracy:.0f} %), exact fields {current.field_accuracy:.1%} "
            f"(target ≥ {args.min_field_accuracy:.0f} %)"
        )
        if len(scores) > 1:
            old = scores[1]
            line += (
                f"; {old.engine}: {old.char_accuracy:.2%}, {old.field_accuracy:.1%} "
                f"({current.errors} vs {old.errors} character errors)"
            )
        print(line + f" — {'PASS' if passed else 'FAIL'}")
        return 0 if passed else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=30, help="images in the corpus (30)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--baseline-python", help="Python of the previous engine's virtualenv")
    parser.add_argument("--min-char-accuracy", type=float, default=98.0)
    parser.add_argument("--min-field-accuracy", type=float, default=85.0)
    parser.add_argument("--keep", action="store_true", help="keep the corpus folder")
    parser.add_argument("--read", help=argparse.SUPPRESS)  # the reading process
    parser.add_argument("--engine", default="current", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_folder(Path(args.read), args.engine)
        return 0
    try:
        return run(args)
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
