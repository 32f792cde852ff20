"""The API manifest (schemas/api.json, described in docs/api.md) against the Python package.

Every name of ``agentrules.__all__`` is an entry point or a type of the manifest, and every
entry point and type the manifest gives Python is in ``__all__``. Signatures are read with
``inspect.signature`` (the compiled functions carry pyo3's text signatures): the positional
parameters in the manifest's order and optionality, the keyword-only ones as listed, the result
type as the stubs (``_native.pyi``) or the annotations of ``__init__.py`` write it.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import agentrules

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "schemas" / "api.json").read_text())
STUBS = ast.parse((Path(agentrules.__file__).parent / "_native.pyi").read_text())
EXCLUDED = [re.compile(x["pattern"]) for x in MANIFEST["excluded"] if x["surface"] == "python" and "pattern" in x]
TYPES = {t["name"]: t for t in MANIFEST["types"]}

Param = Tuple[str, bool]


def _param(s: str) -> Param:
    return (s.rstrip("?"), s.endswith("?"))


def _expected(canonical: Dict[str, Any], block: Dict[str, Any]) -> List[Param]:
    if "params" in block:
        return [_param(p) for p in block["params"]]
    missing = set(block.get("missing", {}))
    return [p for p in map(_param, canonical.get("params", [])) if p[0] not in missing]


def _declared(fn: Any, *, method: bool = False) -> Tuple[List[Param], List[Param]]:
    """The positional and the keyword-only parameters of ``fn``, each (name, optional)."""
    params = list(inspect.signature(fn).parameters.values())
    if method:
        params = params[1:]  # self
    positional = [(p.name, p.default is not p.empty) for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keywords = [(p.name, p.default is not p.empty) for p in params if p.kind == p.KEYWORD_ONLY]
    return positional, keywords


def _stub(name: str, cls: Optional[str] = None) -> Optional[ast.AST]:
    body = STUBS.body
    if cls is not None:
        body = next(n.body for n in STUBS.body if isinstance(n, ast.ClassDef) and n.name == cls)
    return next((n for n in body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def _result(obj: Any, name: str, cls: Optional[str] = None) -> str:
    """The declared result type: the stubs' for the compiled module (its classes' members
    included), else the annotation of ``__init__.py``."""
    if cls is not None or getattr(obj, "__module__", None) == "agentrules._native":
        node = _stub(name, cls)
        assert node is not None and node.returns is not None, f"_native.pyi lacks {cls or ''}.{name}"
        return ast.unparse(node.returns)
    annotation = inspect.signature(obj).return_annotation
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))


def _result_matches(canonical: Optional[str], override: Optional[str], declared: str) -> bool:
    if override is not None:
        return override in declared
    base = (canonical or "void").rstrip("?").removesuffix("[]")
    word = MANIFEST["primitives"].get(base, {}).get("python")
    if word is None:
        t = TYPES.get(base, {}).get("python")
        word = t if isinstance(t, str) else base
    return re.search(rf"\b{re.escape(word)}\b", declared) is not None


def _block(entry: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    assert "python" in entry, f"{entry['name']}: the manifest says nothing for python"
    block = entry["python"]
    if block is None:
        assert entry.get("why", {}).get("python"), f"{entry['name']}: absent from python without a why"
    return block


def _listed() -> Dict[str, str]:
    """Every name the manifest gives Python, with what it is."""
    names: Dict[str, str] = {}
    for kind in ("functions", "classes"):
        for e in MANIFEST[kind]:
            block = _block(e)
            if block is not None:
                names[block["name"]] = kind
    for t in MANIFEST["types"]:
        if _block(t) is not None:
            names[t["python"]] = "types"
    return names


def test_all_is_the_manifest() -> None:
    listed = _listed()
    public = [n for n in agentrules.__all__ if not any(x.search(n) for x in EXCLUDED)]
    assert sorted(set(public) - set(listed)) == [], "public in agentrules.__all__ but not in schemas/api.json"
    assert sorted(set(listed) - set(public)) == [], "in schemas/api.json but not in agentrules.__all__"
    for name in listed:
        assert hasattr(agentrules, name), name
    # Nothing public hides outside __all__ either.
    stray = [n for n in dir(agentrules) if not n.startswith("_") and n not in agentrules.__all__ and callable(getattr(agentrules, n))]
    assert [n for n in stray if getattr(getattr(agentrules, n), "__module__", "").startswith("agentrules")] == []


def _check(what: str, canonical: Dict[str, Any], block: Dict[str, Any], fn: Any, result: Optional[str], *, method: bool = False) -> None:
    positional, keywords = _declared(fn, method=method)
    assert positional == _expected(canonical, block), f"{what}: positional parameters"
    assert keywords == [_param(k) for k in block.get("keywords", [])], f"{what}: keyword-only parameters"
    if result is not None:
        want = block.get("result") or canonical.get("result")
        assert _result_matches(canonical.get("result"), block.get("result"), result), f"{what} answers {want}; declared {result}"


@pytest.mark.parametrize("entry", [f for f in MANIFEST["functions"] if f.get("python")], ids=lambda f: f["name"])
def test_function(entry: Dict[str, Any]) -> None:
    block = entry["python"]
    fn = getattr(agentrules, block["name"])
    assert inspect.isroutine(fn), block["name"]
    _check(block["name"], entry, block, fn, _result(fn, block["name"]))


@pytest.mark.parametrize("entry", [c for c in MANIFEST["classes"] if c.get("python")], ids=lambda c: c["name"])
def test_class(entry: Dict[str, Any]) -> None:
    block = entry["python"]
    cls = getattr(agentrules, block["name"])
    assert inspect.isclass(cls), block["name"]
    _check(f"{block['name']}()", entry, block, cls, None)
    listed = set()
    for member in entry["members"]:
        if "python" in member and member["python"] is None:
            assert member.get("why", {}).get("python"), f"{block['name']}.{member['name']}: absent without a why"
            continue
        mb = member.get("python") or {}
        name = mb.get("name", member["name"])
        listed.add(name)
        attr = inspect.getattr_static(cls, name, None)
        assert attr is not None, f"{block['name']}.{name} is missing"
        prop = member.get("property", False) and not mb.get("method", False)
        assert inspect.isdatadescriptor(attr) == prop, f"{block['name']}.{name} must be a {'property' if prop else 'method'}"
        if prop:
            assert _result_matches(member.get("result"), mb.get("result"), _result(None, name, block["name"])), f"{block['name']}.{name}"
        else:
            _check(f"{block['name']}.{name}", member, mb, getattr(cls, name), _result(None, name, block["name"]), method=True)
    public = {n for n in vars(cls) if not n.startswith("_")}
    assert sorted(public - listed) == [], f"{block['name']}: public but not in schemas/api.json"


def test_the_readers_read_something() -> None:
    """A reader that found nothing would pass the checks above."""
    assert _declared(agentrules.check_image) == ([("media_type", False), ("data", False), ("length", True), ("context", True)], [])
    assert _declared(agentrules.sweep_connectors) == ([("installs", False), ("now", False)], [("sweep_after", True)])
    assert _declared(agentrules.Poller) == ([("follow_up_from", True)], [])
    assert _declared(agentrules.Poller.observe, method=True) == ([("status", False), ("elapsed_ms", True)], [])
    assert _result(agentrules.codes, "codes") == "List[CodeInfo]"
    assert _result(agentrules.stop, "stop") == "StopResult"


def test_the_checks_fail_on_a_changed_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing, an extra or a reordered entry point fails the checks above."""

    def fn(m: Dict[str, Any], name: str) -> Dict[str, Any]:
        return next(f for f in m["functions"] if f["name"] == name)

    missing = json.loads(json.dumps(MANIFEST))
    missing["functions"].append({**fn(missing, "kinds"), "name": "frobnicate", "python": {"name": "frobnicate"}})
    extra = json.loads(json.dumps(MANIFEST))
    extra["functions"].remove(fn(extra, "kinds"))
    for mutant, message in ((missing, "in schemas/api.json but not in agentrules.__all__"), (extra, "public in agentrules.__all__ but not")):
        monkeypatch.setattr(sys.modules[__name__], "MANIFEST", mutant)
        with pytest.raises(AssertionError, match=message):
            test_all_is_the_manifest()
    monkeypatch.undo()

    reordered = json.loads(json.dumps(fn(MANIFEST, "check")))
    reordered["params"].reverse()
    with pytest.raises(AssertionError, match="check: positional parameters"):
        test_function(reordered)
    member = json.loads(json.dumps(next(c for c in MANIFEST["classes"] if c["name"] == "PolicyMatrix")))
    member["members"][0]["python"]["params"].reverse()
    with pytest.raises(AssertionError, match="PolicyMatrix.decide: positional parameters"):
        test_class(member)
