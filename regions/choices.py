"""Choices for the applicant's 注册地 (registered place) select, grouped by city."""

from regions.models import OUTSIDE_HENAN_CODE, Region

OUTSIDE_HENAN_LABEL = "其他（外省企业）"


def county_label(region: Region) -> str:
    """'信阳市-罗山县' for a county ('郑州市-其他' for 410199); a county-level city directly
    under the province (济源市) has no city above it and is labelled by its own name."""
    if region.level == Region.Level.COUNTY and region.parent is not None:
        return f"{region.parent.name}-{region.name}"
    return region.name


def registration_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(city name, [(county code, county name), ...]), ...] ordered by city code.

    郑州市's group ends with 410199 "其他（外省企业）" for operators registered outside
    Henan. 济源市 (419001) has no counties: it is offered as the only option of its own
    group, so that applicants registered there can still pick a place."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for county in Region.objects.counties():
        city = county.parent
        label = OUTSIDE_HENAN_LABEL if county.code == OUTSIDE_HENAN_CODE else county.name
        groups.setdefault(city.code, (city.name, []))[1].append((county.code, label))
    lone_cities = Region.objects.filter(level=Region.Level.CITY, children__isnull=True)
    for city in lone_cities:
        groups.setdefault(city.code, (city.name, [(city.code, city.name)]))
    return [groups[code] for code in sorted(groups)]
