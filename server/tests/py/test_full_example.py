"""The seed's "Full example", run against `agentrules serve` with only BASE_URL, the key, the
input file and the WORKFLOW_ID placeholder changed: it must upload, launch, poll and print the
artifacts."""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

from common import ROOT, Serve

HERE = os.path.dirname(__file__)
SEED = os.path.join(HERE, "seed_full_example.py")


def test_the_script_is_the_seeds():
    """The seed's page lost the script's indentation; line for line, the text is the same."""
    seeds = os.path.join(ROOT, "..", "shared", "seeds")
    pages = [os.path.join(seeds, f) for f in os.listdir(seeds)] if os.path.isdir(seeds) else []
    page = next((open(p).read() for p in pages if "Full example" in open(p).read()), None)
    if page is None:
        print("the seed page is not beside the repository; the script is compared with itself only")
        return
    seed = page[page.index("import time\nimport requests"):].strip().splitlines()
    ours = [l.strip() for l in open(SEED).read().strip().splitlines()]
    assert ours == [l.strip() for l in seed]


def test_full_example_prints_the_artifacts():
    original = open(SEED).read()
    with Serve() as srv, tempfile.TemporaryDirectory() as tmp:
        req = urllib.request.Request(srv.base + "/api/v0/workflows", headers={"Authorization": f"Bearer {srv.key}"})
        workflows = json.load(urllib.request.urlopen(req))["data"]
        slot_workflow = next(w["id"] for w in workflows if [s["name"] for s in w["slots"]] == ["Documents"])
        input_file = os.path.join(tmp, "input.pdf")
        with open(input_file, "wb") as f:
            f.write(b"%PDF-1.4\n% a small test document\n")
        changed = {
            'BASE_URL = "https://<your-domain>.nomic.ai/api/v0"': f'BASE_URL = "{srv.base}/api/v0"',
            '"Bearer npk_YOUR_API_KEY"': f'"Bearer {srv.key}"',
            'WORKFLOW_ID = "019def34-..."': f'WORKFLOW_ID = "{slot_workflow}"',
            'open("specs.pdf", "rb")': f'open({input_file!r}, "rb")',
        }
        script = original
        for old, new in changed.items():
            assert script.count(old) == 1, old
            script = script.replace(old, new)
        # Nothing else differs from the seed's script.
        diff = [(a, b) for a, b in zip(original.splitlines(), script.splitlines()) if a != b]
        assert len(diff) == len(changed), diff
        path = os.path.join(tmp, "full_example.py")
        open(path, "w").write(script)
        out = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        print(out.stdout)
        assert "Status: finished" in out.stdout
        assert "--- Review Results (MARKDOWN_DOCUMENT) ---" in out.stdout
        assert "--- Findings (TABLE) ---" in out.stdout
        assert "# Review Results" in out.stdout
        # The markdown names the uploaded file; the table printed its schema and rows.
        assert re.search(r"- `[0-9a-f-]{36}`", out.stdout)
        assert "'elements':" in out.stdout and "'schema':" in out.stdout
