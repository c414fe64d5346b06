"""The fonts embedded in the printed documents: two small faces built once from the
system fonts, in front of the full Noto CJK collection.

WeasyPrint subsets every font it embeds, for every PDF. Straight from Debian's
NotoSerifCJK-Regular.ttc (five faces in 26 MB, 65 535 glyphs, layout tables for five
locales) that costs ~80 ms per face per document and leaves a 200 KiB file. The faces
built here hold only what the documents need:

* ``Portal Noto Serif CJK SC``: Noto Serif CJK SC reduced to GB 2312 (6 763 汉字 and its
  symbols), Latin-1, general and CJK punctuation, full-width forms and the few characters
  of our region names outside GB 2312 (浉, 瀍); no vertical metrics or layout tables.
* ``Portal Symbols``: the tick boxes (☐ ☑ ☒), check marks and spaces from DejaVu Sans.

They come first in the documents' font-family; the full Noto Serif CJK SC stays behind
them, so any other Han character an applicant enters (堃, 䶮, 𠮷 …) is still drawn and
embedded, from the collection (that document costs one more subset).

``manage.py build_document_fonts`` builds them (``make install`` runs it; idempotent);
without them the documents use the collection alone: the same text, only slower.
"""

import functools
import hashlib
import logging
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BUILD_VERSION = "1"  # bump when the recipe below changes: new file names, rebuilt fonts
SERIF_FAMILY = "Portal Noto Serif CJK SC"
SYMBOLS_FAMILY = "Portal Symbols"
SYSTEM_FAMILIES = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", serif'

# Characters outside GB 2312 that our own data prints (region names); tests check that
# every character of the templates, regions and catalogue is covered.
EXTRA_CHARACTERS = "浉瀍"
RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 (·, ×, °)
    (0x2000, 0x206F),  # general punctuation (“”—…‰)
    (0x2100, 0x218F),  # letterlike symbols and number forms (℃ № Ⅰ)
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x25A0, 0x25FF),  # geometric shapes (□ ■ ○ ●)
    (0x3000, 0x303F),  # CJK punctuation (、。「」〔〕)
    (0xFF00, 0xFFEF),  # full-width forms (（），：)
)
# The spaces too: pango keeps a space beside ☑ in the tick box's face, which without a
# space glyph would draw .notdef there.
SYMBOLS = " \u00a0\u3000☐☑☒✓✔✗✘"


@dataclass(frozen=True)
class Face:
    family: str
    file: str
    source_pattern: str  # fontconfig pattern of the face it is cut from
    suffix: str  # .otf (CFF outlines) or .ttf (TrueType outlines), as the source

    def source(self) -> tuple[Path, int] | None:
        return _fc_match(self.source_pattern)


SERIF = Face(SERIF_FAMILY, "PortalNotoSerifSC", "Noto Serif CJK SC:style=Regular", ".otf")
SYMBOL = Face(SYMBOLS_FAMILY, "PortalSymbols", "DejaVu Sans:style=Book", ".ttf")


def gb2312_characters() -> set[int]:
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def serif_characters() -> set[int]:
    chars = gb2312_characters() | {ord(c) for c in EXTRA_CHARACTERS}
    for first, last in RANGES:
        chars.update(range(first, last + 1))
    return chars


def characters(face: Face) -> set[int]:
    return serif_characters() if face is SERIF else {ord(c) for c in SYMBOLS}


def font_dir() -> Path:
    return Path(settings.DOCUMENT_FONT_DIR)


@functools.cache
def _fc_match(pattern: str) -> tuple[Path, int] | None:
    """(file, face index) fontconfig picks for the pattern, when it is that family."""
    try:
        done = subprocess.run(
            ["fc-match", "--format=%{file}\n%{index}\n%{family}", pattern],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    file, index, families = [*done.stdout.split("\n"), "", ""][:3]
    if pattern.split(":")[0] not in families.split(","):
        return None  # fontconfig substituted another family: not what we cut from
    return Path(file), int(index or 0)


def target(face: Face) -> Path | None:
    """Where this build of the face lives: the name digests the recipe, the characters
    and the source file, so a new Noto release or character list means a new file."""
    source = face.source()
    if source is None:
        return None
    path, index = source
    try:
        size = path.stat().st_size
    except OSError:
        return None
    recipe = f"{BUILD_VERSION}|{face.family}|{path}|{index}|{size}|{sorted(characters(face))}"
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:12]
    return font_dir() / f"{face.file}-{digest}{face.suffix}"


def build(face: Face) -> tuple[Path, bool]:
    """Build the face when missing; (path, built now). Raises OSError when its source
    font is not installed (``ops/pdf install``)."""
    path = target(face)
    if path is None:
        raise OSError(f"{face.source_pattern}: font not installed (ops/pdf install)")
    if path.exists():
        return path, False
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every table at INFO

    source, index = face.source()
    font = TTFont(source, fontNumber=index, lazy=True)
    options = subset.Options()
    options.layout_features = []  # WeasyPrint drops GSUB/GPOS from what it embeds anyway
    options.drop_tables += ["GSUB", "GPOS", "vhea", "vmtx", "VORG", "BASE", "FFTM"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and OFL notice
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters(face))
    subsetter.subset(font)
    _rename(font, face.family)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    font.save(partial)
    os.replace(partial, path)  # atomic: a worker never reads half a font
    for old in path.parent.glob(f"{face.file}-*{face.suffix}"):
        if old != path:
            old.unlink(missing_ok=True)
    return path, True


def _rename(font, family: str) -> None:
    """A family name of its own: fontconfig must not mistake the cut face for the full one."""
    postscript = family.replace(" ", "") + "-Regular"
    names = {1: family, 4: f"{family} Regular", 6: postscript, 16: family, 17: "Regular"}
    for record in font["name"].names:
        if record.nameID in names:
            record.string = names[record.nameID]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName = f"{family} Regular"
        top.FamilyName = family


def built_faces() -> list[tuple[Face, Path]]:
    """The faces whose current build exists (looked up once per process)."""
    return [(face, path) for face, path in _built() if path is not None]


@functools.cache
def _built():
    result = []
    for face in (SERIF, SYMBOL):
        path = target(face)
        result.append((face, path if path is not None and path.exists() else None))
    return tuple(result)


def font_family() -> str:
    """The CSS font-family of the documents: our faces first (when built), then the system."""
    names = [f'"{face.family}"' for face, _ in built_faces()]
    return ", ".join([*names, SYSTEM_FAMILIES])


@functools.cache
def fingerprint() -> str:
    """Digests of the built faces and the identity of the system fonts behind them."""
    parts = []
    for face, path in built_faces():
        parts.append(f"{face.family}={hashlib.sha256(path.read_bytes()).hexdigest()[:16]}")
    for face in (SERIF, SYMBOL):
        source = face.source()
        if source is not None:
            size = source[0].stat().st_size if source[0].exists() else 0
            parts.append(f"{source[0]}#{source[1]}:{size}")
    return ";".join(parts)


_lock = threading.Lock()


def forget() -> None:
    """After a build in this process: look the files up again."""
    with _lock:
        _built.cache_clear()
        fingerprint.cache_clear()
