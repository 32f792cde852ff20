"""W5 against a second implementation, fresh at every run: tests/conformance/gen/google_workspace.py
makes new RSA key pairs (`cryptography`), signs new tokens with PyJWT (cross-checking each
expectation PyJWT can judge with its own `jwt.decode`), and every case it writes runs through the
core, by the typed `verify_google_webhook` and by `evaluate`. The committed corpus
(google_workspace_ops.json) is one such run; this one proves that the core agrees with PyJWT on
keys and tokens it has never seen. PyJWT and cryptography are pinned in requirements-dev.txt; a
missing one fails the test (it never skips)."""

import importlib.util
import json
import subprocess
import sys

import pytest

import agentrules
from conftest import ROOT, load_cases
from test_conformance import matches

SCRIPT = ROOT / "tests" / "conformance" / "gen" / "google_workspace.py"


def typed(args):
    """A case's arguments through the typed function (keyword expectations)."""
    e = args["expect"]
    v = agentrules.verify_google_webhook(
        args["headers"],
        args.get("keys"),
        audience=e.get("audience"),
        email=e.get("email"),
        channel_token=e.get("channelToken"),
        skew_seconds=e.get("skewSeconds"),
        now=args["now"],
    )
    out = {"verified": v.verified, "message": v.message}
    if v.reason is not None:
        out["reason"] = v.reason
    if v.header is not None:
        out["header"] = v.header
    return out


@pytest.fixture(scope="module")
def fresh_cases(tmp_path_factory):
    for module in ("jwt", "cryptography"):
        assert importlib.util.find_spec(module) is not None, (
            f"{module} is missing: bindings-python/scripts/setup installs it (requirements-dev.txt)"
        )
    out = tmp_path_factory.mktemp("google") / "cases.json"
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr + run.stdout
    return json.loads(out.read_text())


def test_fresh_keys_and_tokens_answer_as_the_corpus_says(fresh_cases):
    corpus = [c for c in load_cases() if c.get("op") == "verify_google_webhook"]
    assert [c["name"] for c in fresh_cases] == [c["name"] for c in corpus], "the script and the corpus hold other cases"
    assert len(fresh_cases) >= 60
    failures = []
    for case in fresh_cases:
        for how, got in (("evaluate", agentrules.evaluate(case["op"], case["args"])), ("typed", typed(case["args"]))):
            if not matches(case["expect"], got):
                failures.append(f"{case['name']} ({how}): expected {case['expect']}, got {got}")
    assert not failures, "\n".join(failures)


def test_the_committed_cases_run_through_the_typed_function():
    corpus = [c for c in load_cases() if c.get("op") == "verify_google_webhook"]
    assert corpus, "google_workspace_ops.json has no verify_google_webhook cases"
    for case in corpus:
        assert matches(case["expect"], typed(case["args"])), case["name"]


def test_the_fresh_corpus_differs_from_the_committed_one(fresh_cases):
    """New keys each run: a script that wrote fixed tokens would prove nothing new."""
    corpus = {c["name"]: c for c in load_cases() if c.get("op") == "verify_google_webhook"}
    first = fresh_cases[0]
    assert first["args"]["keys"] != corpus[first["name"]]["args"]["keys"]


def test_keys_in_every_form_and_wrong_types():
    case = next(c for c in load_cases() if c.get("op") == "verify_google_webhook" and c["expect"]["verified"])
    a = case["args"]
    aud = a["expect"]["audience"]
    for keys in (a["keys"], json.dumps(a["keys"])):
        assert agentrules.verify_google_webhook(a["headers"], keys, audience=aud, now=a["now"])
    assert agentrules.verify_google_webhook(a["headers"], "{", audience=aud, now=a["now"]).reason == "invalid_keys"
    with pytest.raises(agentrules.ValidationError) as e:
        agentrules.verify_google_webhook(a["headers"], {1, 2}, audience=aud, now=a["now"])  # type: ignore[arg-type]
    assert e.value.code == "invalid_arguments"
    # The clock by default: the corpus's token expired long ago.
    assert agentrules.verify_google_webhook(a["headers"], a["keys"], audience=aud).reason == "token_expired"
