"""The example notebook runs top to bottom against the installed module, so it never rots."""

import pathlib

import nbformat
from nbclient import NotebookClient

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "examples" / "notebook.ipynb"


def test_notebook_executes():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "empty_text" in text and "needs_approval" in text and "schema_type" in text
    # The DataFrame rows: the missing issue of A-102 (NaN) and A-103's severity, by row key.
    assert "{'A-102': ['invalid_json'], 'A-103': ['schema_enum']}" in text, text
