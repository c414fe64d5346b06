"""The facet counts of the database engine, summed in SQL from grouped matches.

The matches are grouped by the columns below (``g``: ``n`` matches per group and, with a
region selected, ``n_region`` of them in it); each facet then counts the groups that pass
every selected filter but its own, and the total those that pass all. Departments are
counted per set of reviewing departments ("|housing|power|") and split when read, so a
row counts once per department. Every select returns (facet, key, n, score); on
PostgreSQL the page's rows travel in the same statement (facet ``page``: the entry id,
its position, its score).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from ._query import FACETS, sorted_counts

# The columns the counting pass groups by, in the order of the covering index
# ``archive_row_facets`` (so SQLite aggregates while walking it, without sorting), and
# the facet each one counts.
GROUPED = ("kind", "app_kind", "state", "city", "year", "departments")
FACET_COLUMNS = {
    "kind": "kind",
    "application_kind": "app_kind",
    "state": "state",
    "department": "departments",  # "|housing|power|": one count per department
    "region": "city",
    "year": "year",
}


def group_key(values) -> int:
    """A row's facet group (``SearchRow.facet_group``): a 63-bit hash of its GROUPED
    values in that order, the same in every process (BLAKE2b, not hash()). Two of n
    groups share a key with a probability of about n²/2⁶⁴ (10⁻¹¹ for 10 000 groups)."""
    text = "\x1f".join("" if value is None else str(value) for value in values)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def _like(code: str) -> str:
    escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%|{escaped}|%"


def _group_test(name: str, values: list) -> tuple[str, list]:
    """SQL on a group (a row of ``g``) telling whether it passes the filter `name`."""
    if name == "department":
        tests = " OR ".join(["departments LIKE %s ESCAPE '\\'"] * len(values))
        return f"({tests})", [_like(str(code)) for code in values]
    marks = ", ".join(["%s"] * len(values))
    return f"{FACET_COLUMNS[name]} IN ({marks})", list(values)


def _facet_select(name: str | None, filters: dict, tests: dict) -> tuple[str, list]:
    """Counts of one facet (None: the total) from the groups that pass every selected
    filter but the facet's own; the matches of the selected region, unless the facet
    is the region."""
    n = "n" if name == "region" or "region" not in filters else "n_region"
    where = [tests[other] for other in tests if other != name]
    sql = " AND ".join(test for test, _params in where) or "1 = 1"
    params = [p for _test, test_params in where for p in test_params]
    if name is None:
        return f"SELECT 'total', NULL, SUM({n}), CAST(NULL AS INTEGER) FROM g WHERE {sql}", params
    column = FACET_COLUMNS[name]
    label = name  # one of FACETS, never user input
    return (
        f"SELECT '{label}', CAST({column} AS TEXT), SUM({n}), CAST(NULL AS INTEGER) FROM g WHERE {sql} "
        f"GROUP BY {column}",
        params,
    )


def region_test(values: list) -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(values))
    return f"(county IN ({marks}) OR city IN ({marks}))", [*values, *values]


def selects(filters: dict) -> tuple[str, list]:
    """The total and every facet, from ``g``: one UNION ALL."""
    tests = {
        name: _group_test(name, values) for name, values in filters.items() if name != "region"
    }
    parts = [_facet_select(name, filters, tests) for name in (None, *FACETS)]
    return " UNION ALL ".join(sql for sql, _p in parts), [p for _sql, ps in parts for p in ps]


def _counted(source: str, filters: dict) -> tuple[str, list]:
    """SQL counting the rows of `source` (with facet_group, city and county) per facet
    group: ``n``, and with a region selected ``n_region``, those in it."""
    region, params = "", []
    if "region" in filters:
        test, params = region_test(filters["region"])
        region = f", SUM(CASE WHEN {test} THEN 1 ELSE 0 END) AS n_region"
    return f"SELECT facet_group, COUNT(*) AS n{region} FROM {source} GROUP BY facet_group", params


def _with_columns(groups_table: str) -> str:
    """``g``: each group counted in ``k`` with its columns (``SearchFacetGroup``, a hash
    join; one integer to group by, where six text columns cost a third of the statement)."""
    columns = ", ".join(f"f.{column}" for column in GROUPED)
    return (
        f"g AS MATERIALIZED (SELECT {columns}, k.* FROM k JOIN {groups_table} f "
        f"ON f.key = k.facet_group)"
    )


def grouped(groups_table: str, filters: dict) -> tuple[str, list]:
    """PostgreSQL: ``k``, the matches ``m`` counted per facet group, and ``g``."""
    counted, params = _counted("m", filters)
    return f"k AS MATERIALIZED ({counted}), {_with_columns(groups_table)}", params


def grouped_rows(
    groups_table: str,
    filters: dict,
    rows: tuple[str, list],
    missed: tuple[str, list] | None = None,
) -> tuple[str, list]:
    """PostgreSQL: ``k``, the groups' counts of `rows` (SQL selecting every row of the
    scope) less, if given, those of `missed` (the rows among them that do not match),
    and ``g``: the counts of browsing, or of a query that matches nearly every row,
    without listing its matches."""
    rows_sql, rows_params = rows
    every, every_params = _counted(f"({rows_sql}) AS r", filters)
    if missed is None:
        k = f"k AS MATERIALIZED ({every})"
        return f"{k}, {_with_columns(groups_table)}", [*every_params, *rows_params]
    missed_sql, missed_params = missed
    lost, lost_params = _counted(f"({missed_sql}) AS x", filters)
    region = ""
    if "region" in filters:
        region = ", a.n_region - COALESCE(b.n_region, 0) AS n_region"
    return (
        f"a AS MATERIALIZED ({every}), b AS MATERIALIZED ({lost}), "
        f"k AS MATERIALIZED (SELECT a.facet_group, a.n - COALESCE(b.n, 0) AS n{region} "
        f"FROM a LEFT JOIN b ON b.facet_group = a.facet_group WHERE a.n > COALESCE(b.n, 0)), "
        f"{_with_columns(groups_table)}",
        [*every_params, *rows_params, *lost_params, *missed_params],  # in the order written
    )


def page_select(filters: dict, start: int, stop: int, source: str = "m") -> tuple[str, list]:
    """One page of `source` (matches with their score and time, and with filters their
    facet group, city and county) that pass every filter — their group passes the
    filters on grouped columns — in the engine's order, numbered."""
    tests = [_group_test(name, values) for name, values in filters.items() if name != "region"]
    where, params = [], []
    if tests:
        where.append(
            f"facet_group IN (SELECT facet_group FROM g WHERE {' AND '.join(t for t, _p in tests)})"
        )
        params += [p for _test, ps in tests for p in ps]
    if "region" in filters:
        test, region_params = region_test(filters["region"])
        where.append(test)
        params += region_params
    where = " AND ".join(where) or "1 = 1"
    order = "x_score DESC, time DESC, entry_id DESC"
    return (
        f"SELECT 'page', CAST(entry_id AS TEXT), ROW_NUMBER() OVER (ORDER BY {order}), x_score "
        f"FROM (SELECT entry_id, time, x_score FROM {source} WHERE {where} ORDER BY {order} "
        f"LIMIT %s OFFSET %s) p",
        [*params, stop - start, start],
    )


def read(rows) -> tuple[int, dict, list]:
    """(total, facets, page [(entry id, score)]) from the selects' rows."""
    total = 0
    counts: dict[str, dict] = {name: defaultdict(int) for name in FACETS}
    page = []
    for name, key, n, score in rows:
        if name == "total":
            total = int(n or 0)
        elif name == "page":
            page.append((int(n), int(key), score))
        elif name == "department":
            for code in (key or "").split("|"):
                counts[name][code] += int(n)
        else:
            counts[name][int(key) if name == "year" and key else key] += int(n)
    facets = {name: sorted_counts(counts[name].items()) for name in FACETS}
    return total, facets, [(pk, score) for _n, pk, score in sorted(page)]
