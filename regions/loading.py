"""Load the bundled administrative-division table (regions/data/*.csv)."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def level_for(code: str, parent_code: str) -> int:
    if not parent_code:
        return 1
    if code.endswith("00"):
        return 2
    # 济源 (419001) is a province-administered city: its parent is the province.
    return 2 if parent_code.endswith("0000") else 3


def load_regions(region_model) -> int:
    """Create or update every region in the CSV files; returns how many rows were read."""
    count = 0
    by_code = {}
    for path in sorted(DATA_DIR.glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code, name, parent_code = row["code"], row["name"], row["parent"]
                region, _ = region_model.objects.update_or_create(
                    code=code,
                    defaults={
                        "name": name,
                        "level": level_for(code, parent_code),
                        "parent": by_code.get(parent_code),
                    },
                )
                by_code[code] = region
                count += 1
    return count
