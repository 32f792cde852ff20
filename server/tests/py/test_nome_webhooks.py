"""Webhook deliveries signed by a second implementation (Python's hmac and hashlib): GitHub
(W1), Slack (W2) and WhatsApp (W3) verified by the server (202); tampered, stale, unsigned and
doubly signed ones refused (401) with the core's W4 reason; the connector installs' health
follows the deliveries (K3), a K2 refresh and the sweep (K5) bring them back."""

import hashlib
import hmac
import http.client
import json
import time
import urllib.parse

import requests

from common import Serve
from nome import Client

GH, SL, WA, GW = (f"019def34-0000-7000-8000-0000000000a{i}" for i in range(1, 5))
CONFIG = {
    "keys": [{"key": "npk_owner", "owner": "olga"}, {"key": "npk_other", "owner": "oscar"}],
    "installs": [
        {"id": GH, "connector": "github", "owner": "olga", "secret": "It's a Secret to Everybody"},
        {"id": SL, "connector": "slack", "owner": "olga", "secret": "8f742231b10e8888abcd99yyyzzz85a5"},
        {"id": WA, "connector": "whatsapp", "owner": "olga", "secret": "meta-app-secret"},
        {"id": GW, "connector": "google_workspace", "owner": "olga", "secret": "unused"},
    ],
    "connectorPolicy": {"failureThreshold": 3, "sweepAfter": 0},
    "rateLimits": False,
}


def hub(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def slack(secret, ts, body):
    return "v0=" + hmac.new(secret.encode(), b"v0:" + str(ts).encode() + b":" + body, hashlib.sha256).hexdigest()


def test_signed_deliveries_are_verified_tampered_ones_refused_and_installs_follow():
    with Serve(config=CONFIG) as srv:
        owner = Client(srv.base, "npk_owner", "web")
        url = lambda i: f"{srv.base}/nome/v1/webhooks/{i}"  # noqa: E731
        status = lambda i: owner.get(f"/connectors/installs/{i}").json()["data"]  # noqa: E731
        assert {x["id"]: x["status"] for x in owner.get("/connectors/installs").json()["data"]} == \
            {GH: "pending", SL: "pending", WA: "pending", GW: "pending"}
        assert Client(srv.base, "npk_other", "web").get(f"/connectors/installs/{GH}").status_code == 403

        def deliver(i, body, headers, want_status, want_reason=None):
            r = requests.post(url(i), data=body, headers=headers, timeout=10)
            assert r.status_code == want_status, (i, r.status_code, r.text)
            if want_status == 202:
                assert r.json()["data"]["verified"] is True
            else:
                assert r.json()["code"] == "unauthorized" and r.json().get("reason") == want_reason, r.text
                assert CONFIG["installs"][0]["secret"] not in r.text
            return r.json()

        gh_body = json.dumps({"action": "opened", "number": 7}).encode()
        deliver(GH, gh_body, {"X-Hub-Signature-256": hub("It's a Secret to Everybody", gh_body), "X-GitHub-Event": "pull_request"}, 202)
        assert status(GH)["status"] == "active" and status(GH)["summary"]["healthy"] is True
        now = int(time.time())
        sl_body = urllib.parse.urlencode({"command": "/nome", "text": "hello"}).encode()
        sl_secret = CONFIG["installs"][1]["secret"]
        deliver(SL, sl_body, {"X-Slack-Signature": slack(sl_secret, now, sl_body), "X-Slack-Request-Timestamp": str(now),
                              "Content-Type": "application/x-www-form-urlencoded"}, 202)
        wa_body = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
        deliver(WA, wa_body, {"X-Hub-Signature-256": hub("meta-app-secret", wa_body)}, 202)
        assert (status(SL)["status"], status(WA)["status"]) == ("active", "active")

        # Tampered, stale, unsigned, malformed: each with its reason; the install degrades.
        r = deliver(GH, gh_body + b" ", {"X-Hub-Signature-256": hub("It's a Secret to Everybody", gh_body)}, 401, "signature_mismatch")
        assert r["header"] == "X-Hub-Signature-256"
        assert status(GH)["status"] == "degraded" and status(GH)["lastError"]["reason"] == "signature_mismatch"
        deliver(SL, sl_body, {"X-Slack-Signature": slack(sl_secret, now - 301, sl_body), "X-Slack-Request-Timestamp": str(now - 301)},
                401, "stale_timestamp")
        deliver(SL, sl_body, {"X-Slack-Signature": slack(sl_secret, now + 400, sl_body), "X-Slack-Request-Timestamp": str(now + 400)},
                401, "future_timestamp")
        deliver(WA, wa_body, {}, 401, "missing_header")
        deliver(WA, wa_body, {"X-Hub-Signature-256": "sha1=abc"}, 401, "malformed_header")
        # Two signature headers (http.client sends both): ambiguous, refused.
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        conn.putrequest("POST", f"/nome/v1/webhooks/{WA}")
        for _ in range(2):
            conn.putheader("X-Hub-Signature-256", hub("meta-app-secret", wa_body))
        conn.putheader("Content-Length", str(len(wa_body)))
        conn.endheaders(wa_body)
        resp = conn.getresponse()
        assert (resp.status, json.loads(resp.read())["reason"]) == (401, "duplicate_header")
        sl = status(SL)
        assert (sl["status"], sl["consecutiveFailures"], sl["summary"]["nextStep"]) == ("degraded", 2, "auto_recovery")
        wa = status(WA)
        assert (wa["status"], wa["consecutiveFailures"], wa["summary"]["nextStep"]) == ("failed", 3, "reauthorize")

        # The sweep (K5) refreshes the degraded installs, not the failed one (it waits for the user).
        swept = owner.post("/connectors/sweep").json()["data"]
        assert sorted(swept["swept"]) == sorted([GH, SL]) and all(x["status"] == "pending" for x in swept["installs"])
        assert status(WA)["status"] == "failed"
        deliver(GH, gh_body, {"X-Hub-Signature-256": hub("It's a Secret to Everybody", gh_body)}, 202)
        assert status(GH)["status"] == "active"
        # A failed install takes no health check from a delivery, only the user's refresh (K2).
        deliver(WA, wa_body, {"X-Hub-Signature-256": hub("meta-app-secret", wa_body)}, 202)
        assert status(WA)["status"] == "failed"
        r = owner.post(f"/connectors/installs/{WA}/events", {"type": "refresh", "ok": True, "at": int(time.time()) + 1})
        assert r.status_code == 200 and r.json()["data"]["status"] == "pending", r.text
        time.sleep(1.1)  # health events are dated in whole seconds, after the refresh
        deliver(WA, wa_body, {"X-Hub-Signature-256": hub("meta-app-secret", wa_body)}, 202)
        assert status(WA)["status"] == "active"
        assert owner.post(f"/connectors/installs/{WA}/events", {"type": "bogus", "at": 1}).status_code == 400

        # Google Workspace has no verification in the core (yet): refused without a W4 reason.
        r = requests.post(url(GW), data=b"{}", headers={"Authorization": "Bearer x"}, timeout=10)
        assert r.status_code == 401 and "reason" not in r.json() and "google_workspace" in r.json()["error"], r.text
        assert status(GW)["status"] == "pending"
        assert requests.post(url("019def34-0000-7000-8000-00000000ffff"), data=b"{}", timeout=10).status_code == 404
        print("github, slack and whatsapp deliveries verified; 7 refusals with their W4 reasons; installs followed")
