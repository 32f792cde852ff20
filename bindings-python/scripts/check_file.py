"""Checks one file as a kind through the Python package (the file's raw bytes) and prints the
report's codes. Used by scripts/hostile."""
import json
import sys

import agentrules

kind, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    report = agentrules.check(kind, f.read())
print(json.dumps({"ok": report.ok, "codes": [v.code for v in report.violations]}))
sys.exit(0 if report.ok else 1)
