"""The README's notebook, pydantic, FastAPI and webhook sections run as they are written: each section's Python
blocks are extracted and executed (their asserts are the expected results)."""

import re

import pytest

from conftest import ROOT

README = (ROOT / "bindings-python" / "README.md").read_text()


def section(title):
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no section {title!r}"
    blocks = re.findall(r"^```python\n(.*?)^```", match.group(1), re.S | re.M)
    assert blocks, f"README's {title!r} section has no Python block"
    return blocks


@pytest.mark.parametrize("title", ["In a notebook", "pydantic", "FastAPI", "Webhooks"])
def test_readme_section_runs(title):
    for i, code in enumerate(section(title)):
        exec(compile(code, f"README.md ## {title} block {i}", "exec"), {"__name__": f"readme_{i}"})

