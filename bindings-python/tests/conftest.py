import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def corpus_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("AGENTRULES_CONFORMANCE_DIR", ROOT / "tests" / "conformance"))


def load_cases():
    cases = []
    for f in sorted(corpus_dir().glob("*.json")):
        for case in json.loads(f.read_text()):
            case["file"] = f.name
            cases.append(case)
    return cases


@pytest.fixture(scope="session")
def codes_json():
    return json.loads((ROOT / "schemas" / "codes.json").read_text())
