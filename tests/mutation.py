"""`make mutation`: mutation testing (mutmut) of the core modules, with the kill rate per
module. Not part of `make test` (slow: every mutant runs its module's tests).

Each module is mutated in its own scratch copy of the tree (var/mutation/<name>/), with a
setup.cfg naming the one file to mutate and the test files that cover it, so a run never
touches the working tree and each module is judged by its own tests.

    .venv/bin/python tests/mutation.py                 # every module
    .venv/bin/python tests/mutation.py search.text     # some of them
    .venv/bin/python tests/mutation.py --report-only search.text   # count again, no run

The test database is built once per module (a SQLite file reused by every mutant's run,
``--reuse-db``) instead of migrating afresh for each mutant. A mutant that no test can
tell from the original (no observable difference) is listed, with its reason, in
tests/mutation_equivalents.toml; such mutants are left out of the kill rate, and the
report says how many were.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "var" / "mutation"
TARGET = 0.90
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.toml"
# Wall-clock allowance per mutant is (estimated test time + this) x 15 s: generous, so a
# busy machine does not turn slow runs into false "timeout" kills.
TIMEOUT_CONSTANT = 20
# The scratch copy's settings: the unit-test settings with a file test database that
# every mutant's run reuses (building it means running every migration).
SCRATCH_SETTINGS = """from .test import *  # noqa: F403

DATABASES["default"]["TEST"] = {{"NAME": "{db}"}}  # noqa: F405
DATABASES["default"].setdefault("OPTIONS", {{}})["timeout"] = 120  # noqa: F405
"""

# module: (file to mutate, the tests that judge it)
MODULES = {
    "applications.rules": (
        "applications/rules.py",
        [
            "tests/applications/test_rules.py",
            "tests/applications/test_rules_edges.py",
            "tests/applications/test_limits.py",
        ],
    ),
    "applications.uploads": (
        "applications/uploads.py",
        [
            "tests/applications/test_uploads.py",
            "tests/applications/test_uploads_edges.py",
            "tests/applications/test_limits.py",
        ],
    ),
    "applications.access": (
        "applications/access.py",
        ["tests/applications/test_access_rules.py", "tests/applications/test_workflow.py"],
    ),
    "workdays.calendar": (
        "workdays/calendar.py",
        [
            "tests/test_workdays.py",
            "tests/test_workdays_edges.py",
            "tests/applications/test_limits.py",
        ],
    ),
    "search.text": (
        "search/text.py",
        ["tests/test_search_text.py", "tests/applications/test_limits.py"],
    ),
    "subsidies.compute": (
        "subsidies/compute.py",
        ["tests/subsidies/test_compute.py", "tests/subsidies/test_construction.py"],
    ),
    "interconnect.envelope": (
        "interconnect/envelope.py",
        [
            "tests/interconnect/test_envelope.py",
            "tests/interconnect/test_crypto.py",
            "tests/interconnect/test_interface.py",
        ],
    ),
}
STATUS = re.compile(r"^\s+(\S+): (\S[^\n]*)$", re.M)


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if line and (ROOT / line).is_file()]


def prepare(name: str, source: str, tests: list[str]) -> Path:
    copy = SCRATCH / name
    shutil.rmtree(copy, ignore_errors=True)
    for path in tracked_files():
        target = copy / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, target)
    (copy / ".venv").symlink_to((ROOT / ".venv").resolve())
    package = source.split("/")[0]
    also = sorted(
        {p.split("/")[0] for p in tracked_files() if "/" in p} - {package, "tests", ".venv"}
    )
    lines = [
        "[mutmut]",
        f"source_paths={package}",
        f"only_mutate={source}",
        "also_copy=",
        *[f"    {d}" for d in [*also, "manage.py"]],
        "pytest_add_cli_args_test_selection=",
        *[f"    {t}" for t in tests],
        f"timeout_constant={TIMEOUT_CONSTANT}",
        "pytest_add_cli_args=",
        "    -p",
        "    no:cacheprovider",
        "    -q",
        "    --ds=cms.settings.mutation",
        "    --reuse-db",
    ]
    settings = copy / "cms" / "settings" / "mutation.py"
    settings.write_text(SCRATCH_SETTINGS.format(db=copy / "test-db.sqlite3"), encoding="utf-8")
    (copy / "setup.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # mutmut reads [tool.mutmut] from pyproject.toml first; the copy has none.
    return copy


def load_equivalents() -> dict[str, list[dict]]:
    """module -> its recorded equivalent mutants (before/after line and reason)."""
    if not EQUIVALENTS.exists():
        return {}
    entries = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")).get("equivalent", [])
    by_module: dict[str, list[dict]] = {}
    for entry in entries:
        missing = {"module", "before", "after", "reason"} - set(entry)
        if missing or not entry["reason"].strip():
            raise SystemExit(f"{EQUIVALENTS.name}: entry {entry} lacks {sorted(missing)}")
        by_module.setdefault(entry["module"], []).append(entry)
    return by_module


def mutant_diff(copy: Path, mutmut: str, key: str) -> tuple[str, str]:
    """The mutant's removed and added lines (stripped, one per line), from `mutmut show`."""
    out = subprocess.run([mutmut, "show", key], cwd=copy, capture_output=True, text=True).stdout
    lines = [line for line in out.splitlines() if not line.startswith(("---", "+++"))]
    before = "\n".join(line[1:].strip() for line in lines if line.startswith("-"))
    after = "\n".join(line[1:].strip() for line in lines if line.startswith("+"))
    return before, after


def mutant_function(key: str) -> str:
    """The mutated function's (or method's) name: applications.uploads.x__sniff_zip__mutmut_4
    -> _sniff_zip; applications.uploads.xǁUploadRejectedǁ__init____mutmut_1 -> __init__."""
    tail = re.sub(r"__mutmut_\d+$", "", key.rsplit(".", 1)[-1])[1:]
    return tail.split("ǁ")[-1] if tail.startswith("ǁ") else tail[1:]


def is_equivalent(entry: dict, key: str, diff: tuple[str, str]) -> bool:
    """The entry names this mutant: same lines, and same function when it gives one."""
    if (entry["before"], entry["after"]) != diff:
        return False
    return "function" not in entry or entry["function"] == mutant_function(key)


def run(name: str, equivalents: list[dict], *, report_only: bool = False) -> dict:
    """Mutate one module in a fresh scratch copy and count; with ``report_only``, count
    the results already in the copy (after re-running some mutants there by hand)."""
    source, tests = MODULES[name]
    copy = SCRATCH / name if report_only else prepare(name, source, tests)
    mutmut = str(ROOT / ".venv" / "bin" / "mutmut")
    if not report_only:
        subprocess.run([mutmut, "run", "--max-children", "2"], cwd=copy, check=False)
    out = subprocess.run(
        [mutmut, "results", "--all", "true"], cwd=copy, capture_output=True, text=True
    ).stdout
    results = [(key, status.strip()) for key, status in STATUS.findall(out)]
    killed = sum(s in ("killed", "timeout") for _, s in results)
    alive = [key for key, s in results if s in ("survived", "no tests")]
    survivors, excluded, used = [], [], set()
    for key in alive:
        diff = mutant_diff(copy, mutmut, key)
        match = next((i for i, e in enumerate(equivalents) if is_equivalent(e, key, diff)), None)
        if match is None:
            survivors.append(f"{key}\n  - {diff[0]}\n  + {diff[1]}")
        else:
            used.add(match)
            excluded.append(f"{key}: {equivalents[match]['reason']}")
    report = SCRATCH / f"{name}.survivors.txt"
    report.write_text(
        "\n".join(survivors) + "\n\n# equivalent (excluded):\n" + "\n".join(excluded) + "\n",
        encoding="utf-8",
    )
    stale = [e for i, e in enumerate(equivalents) if i not in used]
    for entry in stale:
        print(f"note: no surviving mutant matches equivalent entry {entry['before']!r}")
    unchecked = sum(s == "not checked" for _, s in results)
    return {
        "killed": killed,
        "survived": len(survivors),
        "excluded": len(excluded),
        "unchecked": unchecked,
    }


def main(args: list[str]) -> int:
    report_only = "--report-only" in args
    names = [a for a in args if a != "--report-only"]
    equivalents = load_equivalents()
    results = {
        name: run(name, equivalents.get(name, []), report_only=report_only)
        for name in names or MODULES
    }
    print("\n== mutation kill rate (killed / non-equivalent mutants)")
    ok = True
    for name, r in results.items():
        total = r["killed"] + r["survived"]
        rate = r["killed"] / total if total else 0.0
        complete = not r["unchecked"]
        ok &= complete and rate >= TARGET
        verdict = ("ok" if rate >= TARGET else "< 90 %") if complete else "partial"
        note = f", {r['unchecked']} not run" if r["unchecked"] else ""
        print(
            f"{name:24} {r['killed']:4} / {total:4}  {rate:6.1%}  {verdict:7}"
            f"  ({r['excluded']} equivalent excluded{note})"
        )
    print(f"survivors listed in {SCRATCH}/<module>.survivors.txt")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
