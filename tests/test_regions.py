"""The Henan administrative-division table (regions/data/henan.csv) and the 注册地 choices.

Codes are checked against 民政部《中华人民共和国县级以上行政区划代码》 as of 2024-12-31.
Henan has 157 county-level divisions: 54 市辖区 + 21 县级市 + 82 县. 济源 (419001) is one of
the 县级市 but is administered by the province, so it is loaded as a city (level 2): that
leaves 156 real level-3 rows, plus the portal's own 410199 "郑州-其他" pseudo county = 157.
"""

import pytest

from regions.choices import OUTSIDE_HENAN_LABEL, county_label, registration_choices
from regions.loading import load_regions
from regions.models import OUTSIDE_HENAN_CODE, Region

pytestmark = pytest.mark.django_db

REAL_COUNTIES = 156
JIYUAN = "419001"

# Real county-level divisions per prefecture-level city (410199 其他 not included).
COUNTIES_PER_CITY = {
    "郑州市": 12,
    "开封市": 9,
    "洛阳市": 14,
    "平顶山市": 10,
    "安阳市": 9,
    "鹤壁市": 5,
    "新乡市": 12,
    "焦作市": 10,
    "濮阳市": 6,
    "许昌市": 6,
    "漯河市": 5,
    "三门峡市": 6,
    "南阳市": 13,
    "商丘市": 9,
    "信阳市": 10,
    "周口市": 10,
    "驻马店市": 10,
}


@pytest.fixture(autouse=True)
def regions_table():
    """The migrations load the table; reload it if a transactional test has flushed it."""
    if not Region.objects.filter(code=OUTSIDE_HENAN_CODE).exists():
        load_regions(Region)


def cities():
    return Region.objects.filter(level=Region.Level.CITY)


def test_eighteen_cities_and_every_prefecture_has_counties():
    assert cities().count() == 18
    assert set(cities().values_list("name", flat=True)) == {*COUNTIES_PER_CITY, "济源市"}
    for city in cities().exclude(code=JIYUAN):
        real = city.children.exclude(code=OUTSIDE_HENAN_CODE)
        assert real.count() == COUNTIES_PER_CITY[city.name], city.name
    # 济源 is a county-level city directly under the province: no counties of its own.
    jiyuan = Region.objects.get(code=JIYUAN)
    assert jiyuan.parent.code == "410000"
    assert not jiyuan.children.exists()


def test_county_count():
    counties = Region.objects.counties()
    assert counties.count() == REAL_COUNTIES + 1  # + 410199 郑州-其他
    assert counties.exclude(code=OUTSIDE_HENAN_CODE).count() == REAL_COUNTIES
    assert sum(COUNTIES_PER_CITY.values()) == REAL_COUNTIES
    # 157 county-level divisions in Henan = the 156 loaded as counties + 济源.
    assert REAL_COUNTIES + 1 == 157


def test_counties_queryset_is_ordered_with_parent_loaded(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(c.code, c.parent.code) for c in Region.objects.counties()]
    codes = [code for code, _ in rows]
    assert codes == sorted(codes)
    assert {Region.objects.get(code=code).level for code in codes} == {Region.Level.COUNTY}


def test_outside_henan_pseudo_county():
    assert OUTSIDE_HENAN_CODE == "410199" == Region.OUTSIDE_HENAN_CODE
    other = Region.objects.get(code=OUTSIDE_HENAN_CODE)
    assert other.name == "其他"
    assert other.level == Region.Level.COUNTY
    assert other.parent.code == "410100"
    assert other.parent.name == "郑州市"


def test_codes_unique_and_prefix_consistent():
    codes = list(Region.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 1 + 18 + REAL_COUNTIES + 1
    province = Region.objects.get(level=Region.Level.PROVINCE)
    assert (province.code, province.name, province.parent) == ("410000", "河南省", None)
    for city in cities():
        assert city.parent == province
        assert city.code[:2] == "41"
        if city.code != JIYUAN:
            assert city.code.endswith("00"), city.code
    for county in Region.objects.counties():
        assert county.code[:4] == county.parent.code[:4], county.code
        assert county.parent.level == Region.Level.CITY
        assert not county.code.endswith("00")


@pytest.mark.parametrize(
    ("code", "name", "city"),
    [
        ("410212", "祥符区", "开封市"),
        ("411502", "浉河区", "信阳市"),
        ("410307", "偃师区", "洛阳市"),
        ("410308", "孟津区", "洛阳市"),
        ("411003", "建安区", "许昌市"),
        ("411603", "淮阳区", "周口市"),
        ("410783", "长垣市", "新乡市"),
        ("411203", "陕州区", "三门峡市"),
        ("411521", "罗山县", "信阳市"),
        ("411729", "新蔡县", "驻马店市"),
    ],
)
def test_known_codes(code, name, city):
    region = Region.objects.get(code=code)
    assert (region.name, region.parent.name, region.level) == (name, city, Region.Level.COUNTY)


def test_no_statistical_or_superseded_codes():
    # 统计用 development-zone codes (xx7x) and pre-2021 codes must not be loaded.
    gone = ["410171", "410173", "410306", "410322", "410381", "410224", "411023", "411626"]
    assert not Region.objects.filter(code__in=gone).exists()
    assert not Region.objects.filter(code__regex=r"^41\d\d7\d$").exists()


def test_load_regions_is_idempotent():
    before = Region.objects.count()
    rows = load_regions(Region)
    assert rows == before == Region.objects.count()


def test_registration_choices():
    choices = registration_choices()
    groups = dict(choices)
    assert choices[0][0] == "郑州市"
    assert len(choices) == 18
    assert ("411521", "罗山县") in groups["信阳市"]
    assert (OUTSIDE_HENAN_CODE, OUTSIDE_HENAN_LABEL) in groups["郑州市"]
    assert OUTSIDE_HENAN_LABEL == "其他（外省企业）"
    assert groups["济源市"] == [(JIYUAN, "济源市")]
    offered = [code for _, options in choices for code, _ in options]
    assert len(offered) == len(set(offered)) == REAL_COUNTIES + 1 + 1  # + 其他 + 济源
    for city, count in COUNTIES_PER_CITY.items():
        extra = 1 if city == "郑州市" else 0
        assert len(groups[city]) == count + extra, city


def test_county_label():
    assert county_label(Region.objects.get(code="411521")) == "信阳市-罗山县"
    assert county_label(Region.objects.get(code=OUTSIDE_HENAN_CODE)) == "郑州市-其他"
    assert county_label(Region.objects.get(code=JIYUAN)) == "济源市"
