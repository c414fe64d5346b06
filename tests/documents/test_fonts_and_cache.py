"""The documents' own fonts (GB 2312 cut from Noto Serif CJK SC, the tick boxes from
DejaVu Sans) with the full collection behind them, and the PDF cache keyed by the HTML."""

import csv
import json
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from documents import fonts, rendering
from tests.applications.factories import GREEN_ITEM, POWER_ITEM, ROAD_ITEM, ready_joint_application

from .helpers import pdf_fonts, pdf_text
from .test_rendering import pdf_of

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

ROOT = Path(settings.BASE_DIR)


def printed_characters() -> set[str]:
    """Every non-ASCII character our own data and templates put on a document."""
    text = []
    with open(ROOT / "regions/data/henan.csv", encoding="utf-8") as rows:
        text += [row["name"] for row in csv.DictReader(rows)]
    catalogue = json.loads((ROOT / "catalogue/data/catalogue.json").read_text(encoding="utf-8"))
    text.append(json.dumps(catalogue, ensure_ascii=False))
    for template in (ROOT / "documents/templates/documents").rglob("*.html"):
        text.append(template.read_text(encoding="utf-8"))
    for module in ("kinds.py", "contexts.py", "rendering.py", "templatetags/documents_tags.py"):
        text.append((ROOT / "documents" / module).read_text(encoding="utf-8"))
    return {char for char in "".join(text) if ord(char) > 0x7E and not char.isspace()}


def test_the_cut_face_holds_every_character_of_our_data_and_templates():
    covered = {chr(code) for code in fonts.serif_characters()} | set(fonts.SYMBOLS)
    assert printed_characters() - covered == set()
    assert {"浉", "瀍", "☑", "☐"} <= covered  # beyond GB 2312: 浉河区, 瀍河回族区, the boxes


def test_rare_characters_still_print_and_embed(operator):
    """Characters outside the cut face fall back to the full Noto collection."""
    application = ready_joint_application(
        operator, [POWER_ITEM], contact_name="王䶮𠮷", address="信阳市浉河区堃园路 3 号"
    )
    data = pdf_of(application, "application_form")
    text = pdf_text(data)
    assert "王䶮𠮷" in text and "堃园路" in text
    embedded = pdf_fonts(data)
    assert embedded and all(inside for _, inside in embedded)
    if fonts.built_faces():
        names = {name.split("+", 1)[-1] for name, _ in embedded}
        assert "Portal-Noto-Serif-CJK-SC" in names  # the common text
        assert "Noto-Serif-CJK-SC" in names  # 䶮, 𠮷, 堃 from the collection


def test_every_glyph_of_the_form_is_found(operator, caplog):
    """No .notdef box: the spaces beside ☑ come from the tick boxes' face too."""
    application = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM, GREEN_ITEM])
    cache.clear()  # lay it out for real
    line = f"<p style='font-family: {fonts.font_family()}'>250.0 kVA ☑ 自有 ☐ 租赁</p>"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf_of(application, "application_form")
        rendering.write_pdf(line)  # Latin, space, ☑: the space was .notdef in the box face
    assert [r.getMessage() for r in caplog.records if "notdef" in r.getMessage()] == []


def test_the_built_face_maps_gb2312_and_our_extra_characters():
    built = dict(fonts.built_faces())
    if fonts.SERIF not in built:
        pytest.skip("documents' fonts not built here (manage.py build_document_fonts)")
    from fontTools.ttLib import TTFont

    font = TTFont(built[fonts.SERIF], lazy=True)
    cmap = font.getBestCmap()
    wanted = fonts.gb2312_characters() | {ord(c) for c in fonts.EXTRA_CHARACTERS}
    assert wanted - set(cmap) == set()
    assert len(font.getGlyphOrder()) < 10_000  # a cut face, not the 65 535 glyphs
    assert font["name"].getDebugName(1) == fonts.SERIF_FAMILY


def test_the_same_html_is_answered_from_the_cache(operator, monkeypatch):
    application = ready_joint_application(operator, [POWER_ITEM])
    first = pdf_of(application, "application_form")

    def no_second_layout(html):
        raise AssertionError("identical HTML must not be laid out again")

    monkeypatch.setattr(rendering, "write_pdf", no_second_layout)
    assert pdf_of(application, "application_form") == first


def test_a_changed_fact_prints_a_new_pdf(operator):
    application = ready_joint_application(operator, [POWER_ITEM], contact_name="张伟")
    before = pdf_text(pdf_of(application, "application_form"))
    joint = application.joint_installation
    joint.contact_name = "李秀英"
    joint.save(update_fields=["contact_name"])
    application.refresh_from_db()
    after = pdf_text(pdf_of(application, "application_form"))
    assert "张伟" in before and "李秀英" not in before
    assert "李秀英" in after and "张伟" not in after


def test_cache_key_covers_the_engine_and_fonts(monkeypatch):
    html = "<p>申请编号 SQ202606100001</p>"
    key = rendering.cache_key(html)
    assert key == rendering.cache_key(html)
    assert key != rendering.cache_key(html.replace("0001", "0002"))
    monkeypatch.setattr(rendering, "engine_fingerprint", lambda: "another font build")
    assert rendering.cache_key(html) != key


def test_warm_opens_the_engine_once_with_every_glyph(caplog):
    """What gunicorn's post_fork runs: afterwards the engine is built, and reused."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendering.warm()
    assert [r.getMessage() for r in caplog.records if "notdef" in r.getMessage()] == []
    assert rendering.engine() is rendering.engine()
    assert rendering.engine.cache_info().currsize == 1
