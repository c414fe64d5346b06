"""search/text.py: the terms every search backend sees (pure functions, no database)."""

import pytest

from search.text import (
    index_terms,
    index_text,
    normalize,
    query_groups,
    query_terms,
    query_text,
    query_words,
    triple,
    triples,
)


def test_normalize_folds_width_and_case_and_takes_none():
    assert normalize("ＮＢ／Ｔ　３３００４") == "nb/t 33004"
    assert normalize(None) == ""
    assert normalize("") == ""


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("补", ["补"]),
        ("补贴", ["补贴"]),  # two characters: one term
        ("补贴款", ["补贴", "贴款"]),  # three: its pairs
        ("建设补贴申请", ["建设", "设补", "补贴", "贴申", "申请"]),
        ("补贴补贴", ["补贴", "贴补"]),  # each term once, in order
        ("充电桩 NB/T 33004", ["充电", "电桩", "nb", "t", "33004"]),
        ("", []),
    ],
)
def test_query_terms_are_the_pairs_of_longer_han_runs(text, terms):
    assert query_terms(text) == terms


def test_index_terms_hold_every_character_and_pair():
    assert index_terms("建设补贴") == ["建设", "设补", "补贴", "贴", "建", "设", "补", "贴"]
    assert index_terms("甲") == ["甲", "甲"]


def test_the_text_forms_join_the_terms_with_single_spaces():
    assert index_text("充电ＮＢ") == "充电 电nb nb 充 电 nb"
    assert query_text("建设补贴 NB") == "建设 设补 补贴 nb"
    assert index_text("") == query_text("") == ""


def test_query_words_are_the_words_as_typed():
    assert query_words("  充电桩   ＮＢ/T\t补贴 ") == ["充电桩", "nb/t", "补贴"]
    assert query_words("") == []
    assert query_words(None) == []


def test_triples_are_three_consecutive_units_of_one_chunk():
    assert triples("营业执照 合格证ab12") == ["营业执", "业执照", "合格证", "格证ab12"]
    assert triples("目标，标准") == []  # two chunks of two: no triple across the comma
    assert triples("ＮＢ１５个") == []  # NFKC: nb15 is one unit, so two units


def test_a_three_unit_query_chunk_is_its_triple():
    assert [triple(group) for group in query_groups("合格证 证ab12充 营业执照 补贴")] == [
        "合格证",
        "证ab12充",
        None,
        None,
    ]
