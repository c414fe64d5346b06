"""`make mutation`: mutation testing (mutmut) of the core modules, with the kill rate per
module. Not part of `make test` (slow: every mutant runs its module's tests).

Each module is mutated in its own scratch copy of the tree (var/mutation/<name>/), with a
setup.cfg naming the one file to mutate and the test files that cover it, so a run never
touches the working tree and each module is judged by its own tests.

    .venv/bin/python tests/mutation.py                 # every module
    .venv/bin/python tests/mutation.py search.text     # some of them
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "var" / "mutation"
TARGET = 0.90

# module: (file to mutate, the tests that judge it)
MODULES = {
    "applications.rules": (
        "applications/rules.py",
        ["tests/applications/test_rules.py", "tests/applications/test_limits.py"],
    ),
    "applications.uploads": (
        "applications/uploads.py",
        ["tests/applications/test_uploads.py", "tests/applications/test_limits.py"],
    ),
    "applications.access": ("applications/access.py", ["tests/applications/test_workflow.py"]),
    "workdays.calendar": (
        "workdays/calendar.py",
        ["tests/test_workdays.py", "tests/applications/test_limits.py"],
    ),
    "search.text": (
        "search/text.py",
        ["tests/test_search_text.py", "tests/applications/test_limits.py"],
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
        "pytest_add_cli_args=",
        "    -p",
        "    no:cacheprovider",
        "    -q",
    ]
    (copy / "setup.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # mutmut reads [tool.mutmut] from pyproject.toml first; the copy has none.
    return copy


def run(name: str) -> tuple[int, int]:
    source, tests = MODULES[name]
    copy = prepare(name, source, tests)
    mutmut = str(ROOT / ".venv" / "bin" / "mutmut")
    subprocess.run([mutmut, "run"], cwd=copy, check=False)
    out = subprocess.run(
        [mutmut, "results", "--all", "true"], cwd=copy, capture_output=True, text=True
    ).stdout
    statuses = [status.strip() for _, status in STATUS.findall(out)]
    killed = sum(s in ("killed", "timeout") for s in statuses)
    considered = sum(s in ("killed", "timeout", "survived", "no tests") for s in statuses)
    survived = [key for key, status in STATUS.findall(out) if status.strip() != "killed"]
    (SCRATCH / f"{name}.survivors.txt").write_text("\n".join(survived) + "\n", encoding="utf-8")
    return killed, considered


def main(names: list[str]) -> int:
    results = {name: run(name) for name in names or MODULES}
    print("\n== mutation kill rate (killed / mutants)")
    ok = True
    for name, (killed, total) in results.items():
        rate = killed / total if total else 0.0
        ok &= rate >= TARGET
        print(
            f"{name:24} {killed:4} / {total:4}  {rate:6.1%}  {'ok' if rate >= TARGET else '< 90 %'}"
        )
    print(f"survivors listed in {SCRATCH}/<module>.survivors.txt")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
