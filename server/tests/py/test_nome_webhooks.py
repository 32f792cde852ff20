"""Webhook deliveries signed by a second implementation (Python's hmac and hashlib; PyJWT and
cryptography for Google): GitHub (W1), Slack (W2), WhatsApp (W3) and Google Workspace (W5)
verified by the server (202); tampered, stale, unsigned, doubly signed and forged ones refused
(401) with the core's reason; the connector installs' health follows the deliveries (K3), a K2
refresh and the sweep (K5) bring them back."""

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

        # A Google Workspace install configured without expectations verifies nothing: the core
        # answers empty_secret (its W5 test is below).
        r = requests.post(url(GW), data=b"{}", headers={"Authorization": "Bearer x"}, timeout=10)
        assert r.status_code == 401 and r.json()["reason"] == "empty_secret", r.text
        assert status(GW)["status"] == "degraded"
        assert requests.post(url("019def34-0000-7000-8000-00000000ffff"), data=b"{}", timeout=10).status_code == 404
        print("github, slack and whatsapp deliveries verified; 7 refusals with their W4 reasons; installs followed")


def _b64(n):
    import base64
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def test_google_workspace_tokens_signed_by_pyjwt_are_verified_and_forged_ones_refused():
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": _b64(pub.n), "e": _b64(pub.e)}]}
    audience, email = "https://nome.example/push", "push@nome-project.iam.gserviceaccount.com"
    config = {
        "keys": [{"key": "npk_owner", "owner": "olga"}],
        "installs": [{"id": GW, "connector": "google_workspace", "owner": "olga",
                      "google": {"audience": audience, "email": email, "channelToken": "chan-7"}, "jwks": jwks}],
        "connectorPolicy": {"failureThreshold": 3, "sweepAfter": 0},
        "rateLimits": False,
    }

    def token(signer=key, alg="RS256", kid="k1", **claims):
        now = int(time.time())
        body = {"iss": "https://accounts.google.com", "aud": audience, "email": email, "email_verified": True,
                "iat": now, "exp": now + 3600, **claims}
        secret = signer if alg.startswith("RS") else "an HMAC key of thirty-two bytes!"
        return jwt.encode(body, secret, algorithm=alg, headers={"kid": kid})

    with Serve(config=config) as srv:
        owner = Client(srv.base, "npk_owner", "web")
        url = f"{srv.base}/nome/v1/webhooks/{GW}"

        def deliver(tok, channel="chan-7", want=202, reason=None):
            headers = {"X-Goog-Channel-Token": channel, "X-Goog-Channel-ID": "c1", "X-Goog-Resource-State": "update"}
            if tok is not None:
                headers["Authorization"] = f"Bearer {tok}"
            r = requests.post(url, data=b"", headers=headers, timeout=10)
            assert r.status_code == want, r.text
            assert r.json().get("reason") == reason, r.text

        deliver(token())
        assert owner.get(f"/connectors/installs/{GW}").json()["data"]["status"] == "active"
        deliver(token(signer=other), want=401, reason="signature_mismatch")
        deliver(token(aud="https://elsewhere.example"), want=401, reason="wrong_audience")
        deliver(token(exp=int(time.time()) - 400), want=401, reason="token_expired")
        deliver(token(alg="HS256"), want=401, reason="unsupported_algorithm")
        deliver(token(kid="k9"), want=401, reason="unknown_key")
        deliver(token(), channel="chan-8", want=401, reason="channel_token_mismatch")
        deliver(None, want=401, reason="missing_header")
        inst = owner.get(f"/connectors/installs/{GW}").json()["data"]
        # Three failures in a row fail the install (K3); a failed one takes no more health checks.
        assert inst["status"] == "failed" and inst["lastError"]["reason"] == "token_expired", inst
        print("Google Workspace: a PyJWT RS256 token verified, 7 forgeries refused with their reasons")
