"""The NOME rules of docs/rules.md through the typed Python API: webhook verification with the
providers' published vectors, and the connector lifecycle. The corpus runs them too, through
``check`` and ``evaluate``, in test_conformance.py."""

from __future__ import annotations

import pytest

import agentrules
from agentrules import ValidationError

GH_SECRET = "It's a Secret to Everybody"
GH_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TS = 1531420618
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_SIG = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
SLACK_HEADERS = {"X-Slack-Request-Timestamp": str(SLACK_TS), "X-Slack-Signature": SLACK_SIG}


def test_github_documented_vector() -> None:
    v = agentrules.verify_webhook("github", {"X-Hub-Signature-256": GH_SIG}, b"Hello, World!", GH_SECRET)
    assert v and v.verified and v.reason is None
    bad = agentrules.verify_webhook("github", {"X-Hub-Signature-256": GH_SIG}, b"Hello, World?", GH_SECRET)
    assert not bad
    assert (bad.reason, bad.header) == ("signature_mismatch", "X-Hub-Signature-256")
    assert GH_SECRET not in bad.message and "757107" not in bad.message
    assert "signature_mismatch" in repr(bad)
    wrong = agentrules.verify_webhook("github", {"X-Hub-Signature-256": GH_SIG}, b"Hello, World!", b"nope")
    assert wrong.reason == "signature_mismatch"


def test_slack_documented_vector_and_window() -> None:
    ok = agentrules.verify_webhook("slack", SLACK_HEADERS, SLACK_BODY, SLACK_SECRET, now=SLACK_TS + 300)
    assert ok.verified
    assert agentrules.verify_webhook("slack", SLACK_HEADERS, SLACK_BODY, SLACK_SECRET, now=SLACK_TS + 301).reason == "stale_timestamp"
    assert agentrules.verify_webhook("slack", SLACK_HEADERS, SLACK_BODY, SLACK_SECRET, now=SLACK_TS - 301).reason == "future_timestamp"
    # Without `now`, the clock: the 2018 vector is long stale.
    assert agentrules.verify_webhook("slack", SLACK_HEADERS, SLACK_BODY, SLACK_SECRET).reason == "stale_timestamp"
    tampered = SLACK_BODY.replace(b"roadrunner", b"wilecoyote")
    assert agentrules.verify_webhook("slack", SLACK_HEADERS, tampered, SLACK_SECRET, now=SLACK_TS).reason == "signature_mismatch"


def test_header_shapes_and_body_types() -> None:
    pairs = [("x-hub-signature-256", GH_SIG)]
    assert agentrules.verify_webhook("whatsapp", pairs, bytearray(b"Hello, World!"), GH_SECRET).verified
    assert agentrules.verify_webhook("github", pairs, memoryview(b"Hello, World!"), GH_SECRET.encode()).verified
    twice = pairs + [("X-Hub-Signature-256", GH_SIG)]
    assert agentrules.verify_webhook("github", twice, b"Hello, World!", GH_SECRET).reason == "duplicate_header"

    class MultiHeaders:
        """A Starlette/httpx-like headers object: repeated headers through multi_items()."""

        def multi_items(self) -> list[tuple[str, str]]:
            return twice

        def items(self) -> list[tuple[str, str]]:
            return pairs

    assert agentrules.verify_webhook("github", MultiHeaders(), b"Hello, World!", GH_SECRET).reason == "duplicate_header"
    assert agentrules.verify_webhook("github", {}, b"", GH_SECRET).reason == "missing_header"
    assert agentrules.verify_webhook("github", pairs, b"", "").reason == "empty_secret"


def test_wrong_argument_types_raise() -> None:
    with pytest.raises(TypeError, match="raw bytes"):
        agentrules.verify_webhook("github", {}, "Hello, World!", GH_SECRET)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown provider"):
        agentrules.verify_webhook("gitlab", {}, b"", GH_SECRET)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        agentrules.verify_webhook("github", [("only-a-name",)], b"", GH_SECRET)
    with pytest.raises(TypeError):
        agentrules.verify_webhook("github", 42, b"", GH_SECRET)


def test_connector_lifecycle() -> None:
    install: agentrules.Install = {"id": "in_1", "connector": "slack", "status": "active", "updatedAt": 100}
    for at in (200, 300, 400):
        install = agentrules.apply_connector_event(install, {"type": "health", "ok": False, "at": at, "reason": "invalid_auth"})
    assert (install["status"], install["consecutiveFailures"], install["failingSince"]) == ("failed", 3, 200)
    summary = agentrules.connector_summary(install)
    assert summary["nextStep"] == "reauthorize" and "invalid_auth" in summary["message"]
    with pytest.raises(ValidationError) as refused:
        agentrules.apply_connector_event(install, {"type": "health", "ok": True, "at": 500})
    assert refused.value.code == "invalid_state"
    assert refused.value.violations[0].code == "invalid_transition"
    with pytest.raises(ValidationError) as late:
        agentrules.apply_connector_event(install, {"type": "refresh", "ok": True, "at": 10})
    assert late.value.violations[0].code == "out_of_order"
    with pytest.raises(ValidationError) as bad:
        agentrules.apply_connector_event({"id": "x"}, {"type": "uninstall", "at": 1})
    assert bad.value.code == "bad_request"
    recovered = agentrules.apply_connector_event(install, {"type": "refresh", "ok": True, "at": 500})
    assert recovered["status"] == "pending"
    degraded = agentrules.apply_connector_event(
        {"id": "in_2", "connector": "github", "status": "active", "updatedAt": 0},
        {"type": "health", "ok": False, "at": 100},
        failure_threshold=5,
    )
    assert agentrules.sweep_connectors([recovered, degraded], 400) == ["in_2"]
    assert agentrules.sweep_connectors([recovered, degraded], 399) == []
    assert agentrules.sweep_connectors(iter([degraded]), 110, sweep_after=10) == ["in_2"]


def test_thread_marketplace_and_git_kinds() -> None:
    assert agentrules.check("thread-rename", {"title": "a\nb"}).violations[0].code == "control_character"
    r = agentrules.check("git-import", {"url": "https://user:ghp_Secret123@github.com/a/b"})
    assert r.violations[0].code == "credentials_in_url" and "ghp_Secret123" not in r.violations[0].message
    ctx = {"marketplace": {"deny": ["acme/*"]}}
    assert agentrules.check("marketplace-install", {"packageId": "acme/x"}, ctx).violations[0].code == "package_denied"


def test_agrees_with_the_standard_library_hmac() -> None:
    """Random bodies and secrets: signatures made by Python's hmac verify; one flipped bit does not."""
    import hashlib
    import hmac
    import random

    rng = random.Random(8)
    for size in (0, 1, 63, 64, 65, 1000, 1 << 20):
        body = bytes(rng.getrandbits(8) for _ in range(min(size, 4096))) * max(1, size // 4096)
        secret = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))
        sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        assert agentrules.verify_webhook("github", {"X-Hub-Signature-256": sig}, body, secret).verified, size
        ts = 1_700_000_000
        slack_sig = "v0=" + hmac.new(secret, b"v0:%d:" % ts + body, hashlib.sha256).hexdigest()
        headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": slack_sig}
        assert agentrules.verify_webhook("slack", headers, body, secret, now=ts).verified, size
        if body:
            flipped = bytearray(body)
            flipped[rng.randrange(len(flipped))] ^= 1
            bad = agentrules.verify_webhook("github", {"X-Hub-Signature-256": sig}, flipped, secret)
            assert bad.reason == "signature_mismatch", size
