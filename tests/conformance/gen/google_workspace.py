#!/usr/bin/env python3
"""W5's conformance cases: Google Workspace push notifications, signed by a second implementation.

Makes fresh RSA key pairs with `cryptography`, publishes them as a JWKS document, signs the
tokens with PyJWT (the tampered and hand-made ones by hand, from the same pieces) and writes the
cases of op `verify_google_webhook` as `tests/conformance/google_workspace_ops.json` (or to
`--out FILE`). Where PyJWT itself has an opinion (signature, audience, issuer, times), each case's
expectation is cross-checked with `jwt.decode` before it is written, so the corpus says what two
implementations agree on.

The committed corpus is one run's output (its keys are random: a run writes new keys and tokens,
the same cases). `bindings-python/tests/test_google_fresh.py` runs this script again at every
test run and checks the core against the fresh cases. Needs the pins of
bindings-python/requirements-dev.txt (`cryptography`, `PyJWT`):

    bindings-python/.venv/bin/python tests/conformance/gen/google_workspace.py
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import pathlib
import sys

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

NOW = 1_760_000_000
IAT = NOW - 60
EXP = IAT + 3600
SKEW = 300
AUD = "https://push.example.com/google/events"
EMAIL = "events-push@example-project.iam.gserviceaccount.com"
CHANNEL = "channel-token-4f1c2a"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n: int) -> str:
    return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def rsa_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    pub = key.public_key().public_numbers()
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": uint(pub.n), "e": uint(pub.e)}


def claims(**over):
    c = {
        "iss": "https://accounts.google.com",
        "aud": AUD,
        "azp": "117403485917459234520",
        "sub": "117403485917459234520",
        "email": EMAIL,
        "email_verified": True,
        "iat": IAT,
        "exp": EXP,
    }
    for k, v in over.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def raw_token(header: dict, payload: dict, sign) -> str:
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}.{b64u(sign(f'{h}.{p}'.encode()))}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent.parent / "google_workspace_ops.json"))
    out = pathlib.Path(ap.parse_args().out)

    k1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    k2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    k3 = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    eck = ec.generate_private_key(ec.SECP256R1())
    ecn = eck.public_key().public_numbers()
    ec_jwk = {"kty": "EC", "crv": "P-256", "use": "sig", "kid": "ec-1",
              "x": b64u(ecn.x.to_bytes(32, "big")), "y": b64u(ecn.y.to_bytes(32, "big"))}
    jwks = {"keys": [rsa_jwk(k1, "k1"), ec_jwk, rsa_jwk(k3, "k3")]}
    pem = k1.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(payload: dict, key=k1, kid: str | None = "k1", alg="RS256", extra=None) -> str:
        headers = {"kid": kid} if kid is not None else {}
        headers.update(extra or {})
        return jwt.encode(payload, key, algorithm=alg, headers=headers)

    good = sign(claims())
    cases: list[dict] = []

    def case(name, expect, *, token=None, headers=None, keys=jwks, audience=AUD, email=EMAIL, channel=None,
             skew=None, now=NOW, oracle=None):
        exp_obj = {}
        if audience is not None:
            exp_obj["audience"] = audience
        if email is not None:
            exp_obj["email"] = email
        if channel is not None:
            exp_obj["channelToken"] = channel
        if skew is not None:
            exp_obj["skewSeconds"] = skew
        if headers is None:
            headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        args = {"headers": headers}
        if keys is not None:
            args["keys"] = keys
        args.update({"expect": exp_obj, "now": now})
        if expect is None:
            want = {"verified": True, "message": "verified"}
        else:
            reason, header = expect
            want = {"verified": False, "reason": reason, "message": "*"}
            if header is not None:
                want["header"] = header
        if oracle is not None:
            pyjwt_agrees(oracle, expect is None, name, audience, skew, now, jwks_for(keys))
        cases.append({"rule": "W5", "name": name, "op": "verify_google_webhook", "args": args, "expect": want})

    def jwks_for(keys):
        return keys if isinstance(keys, dict) else jwks

    A = "Authorization"
    T = "X-Goog-Channel-Token"
    case("a token Google would send verifies (RS256, kid, iss, aud, email)", None, token=good, oracle=good)
    case("the issuer without its scheme is Google's too", None,
         token=sign(claims(iss="accounts.google.com")), oracle=sign(claims(iss="accounts.google.com")))
    case("a key of 3072 bits verifies", None, token=sign(claims(), key=k3, kid="k3"))
    case("an aud array that holds the audience verifies", None, token=sign(claims(aud=["other", AUD])))
    case("without an expected email the email claims are not read", None,
         token=sign(claims(email=None, email_verified=None)), email=None)
    case("the JWKS document may come as JSON text", None, token=good, keys=json.dumps(jwks))
    case("the scheme Bearer is case-insensitive", None, headers={"authorization": f"bearer {good}"})
    h, p, s = good.split(".")
    other = b64u(json.dumps(claims(email="attacker@example.com"), separators=(",", ":")).encode())
    case("a tampered payload is a signature mismatch", ("signature_mismatch", A), token=f"{h}.{other}.{s}",
         oracle=f"{h}.{other}.{s}")
    flipped = s[:10] + ("A" if s[10] != "A" else "B") + s[11:]
    case("a tampered signature is a signature mismatch", ("signature_mismatch", A), token=f"{h}.{p}.{flipped}",
         oracle=f"{h}.{p}.{flipped}")
    case("a token signed by another key under a known kid is a mismatch", ("signature_mismatch", A),
         token=sign(claims(), key=k2, kid="k1"))
    case("the wrong audience is rejected", ("wrong_audience", A),
         token=sign(claims(aud="https://other.example.com/")), oracle=sign(claims(aud="https://other.example.com/")))
    case("an aud array without the audience is rejected", ("wrong_audience", A), token=sign(claims(aud=["a", "b"])))
    case("another issuer is rejected", ("wrong_issuer", A),
         token=sign(claims(iss="https://evil.example.com")), oracle=sign(claims(iss="https://evil.example.com")))
    case("a look-alike issuer is rejected", ("wrong_issuer", A), token=sign(claims(iss="https://accounts.google.com/")))
    case("an expired token is rejected", ("token_expired", A), token=good, now=EXP + 3600, oracle=good)
    case("exp plus the skew is the first second a token is expired", ("token_expired", A), token=good,
         now=EXP + SKEW, oracle=good)
    case("one second before exp plus the skew it still verifies", None, token=good, now=EXP + SKEW - 1, oracle=good)
    case("with skew 0 the token expires at exp", ("token_expired", A), token=good, now=EXP, skew=0, oracle=good)
    case("with skew 0 the second before exp verifies", None, token=good, now=EXP - 1, skew=0, oracle=good)
    future = sign(claims(iat=NOW + SKEW + 1, exp=NOW + SKEW + 3601))
    case("iat beyond now plus the skew is not yet valid", ("token_not_yet_valid", A), token=future, oracle=future)
    edge = sign(claims(iat=NOW + SKEW, exp=NOW + SKEW + 3600))
    case("iat exactly now plus the skew verifies", None, token=edge, oracle=edge)
    nbf = sign(claims(nbf=NOW + SKEW + 1))
    case("nbf beyond now plus the skew is not yet valid", ("token_not_yet_valid", A), token=nbf, oracle=nbf)
    case("a token without exp is malformed", ("malformed_token", A), token=sign(claims(exp=None)))
    case("a token without iat is malformed", ("malformed_token", A), token=sign(claims(iat=None)))
    case("exp must be whole seconds", ("malformed_token", A), token=sign(claims(exp=EXP + 0.5)))
    none_token = jwt.encode(claims(), None, algorithm="none", headers={"kid": "k1"})
    case("alg none is rejected before any key is used", ("unsupported_algorithm", A), token=none_token)
    hs = raw_token({"alg": "HS256", "typ": "JWT", "kid": "k1"}, claims(),
                   lambda m: hmac.new(pem, m, hashlib.sha256).digest())
    case("HS256 signed with the public key's PEM as secret is rejected (alg confusion)",
         ("unsupported_algorithm", A), token=hs)
    case("RS512 is not RS256", ("unsupported_algorithm", A), token=sign(claims(), alg="RS512"))
    lower = raw_token({"alg": "rs256", "kid": "k1"}, claims(), lambda m: b"x")
    case("alg is compared exactly (rs256 is not RS256)", ("unsupported_algorithm", A), token=lower)
    case("an unknown kid is rejected", ("unknown_key", A), token=sign(claims(), kid="k9"))
    case("a token without kid is rejected", ("unknown_key", A), token=sign(claims(), kid=None))
    case("a kid of a key that is not RSA is unknown", ("unknown_key", A), token=sign(claims(), kid="ec-1"))
    case("a crit header is malformed", ("malformed_token", A),
         token=sign(claims(), extra={"crit": ["exp"]}))
    dup = b64u(b'{"alg":"RS256","kid":"k1","alg":"none"}')
    case("a header with a repeated name is malformed", ("malformed_token", A), token=f"{dup}.{p}.{s}")
    case("two segments are malformed", ("malformed_token", A), token=f"{h}.{p}")
    case("base64 padding is malformed", ("malformed_token", A), token=f"{h}.{p}.{s}==")
    case("a token over 8192 bytes is malformed", ("malformed_token", A), token=f"{h}.{'A' * 9000}.{s}")
    case("the wrong email is rejected", ("email_mismatch", A), token=sign(claims(email="other@example.com")))
    case("email_verified false is rejected", ("email_not_verified", A), token=sign(claims(email_verified=False)))
    case("email_verified as the string true is not verified", ("email_not_verified", A),
         token=sign(claims(email_verified="true")))
    case("no Authorization header is missing_header", ("missing_header", A), headers={"X-Goog-Resource-State": "sync"})
    case("two Authorization headers are rejected", ("duplicate_header", A),
         headers=[[A, f"Bearer {good}"], ["authorization", f"Bearer {good}"]])
    case("a Basic Authorization is malformed", ("malformed_header", A), headers={A: "Basic dXNlcjpwYXNz"})
    case("Bearer without a token is malformed", ("malformed_header", A), headers={A: "Bearer"})
    chan = {"X-Goog-Channel-ID": "chan-1", "X-Goog-Resource-State": "exists", "X-Goog-Message-Number": "7"}
    case("the registered channel token verifies", None, headers={**chan, T: CHANNEL}, keys=None, audience=None,
         email=None, channel=CHANNEL)
    case("another channel token is rejected", ("channel_token_mismatch", T), headers={**chan, T: CHANNEL + "x"},
         keys=None, audience=None, email=None, channel=CHANNEL)
    case("a prefix of the channel token is rejected", ("channel_token_mismatch", T), headers={**chan, T: CHANNEL[:-1]},
         keys=None, audience=None, email=None, channel=CHANNEL)
    case("a missing channel token is rejected", ("missing_header", T), headers=chan, keys=None, audience=None,
         email=None, channel=CHANNEL)
    case("two channel tokens are rejected", ("duplicate_header", T),
         headers=[[T, CHANNEL], [T.lower(), CHANNEL]], keys=None, audience=None, email=None, channel=CHANNEL)
    case("token and channel: both verify", None, headers={A: f"Bearer {good}", T: CHANNEL, **chan}, channel=CHANNEL)
    case("token and channel: a valid token with the wrong channel token is rejected", ("channel_token_mismatch", T),
         headers={A: f"Bearer {good}", T: "nope", **chan}, channel=CHANNEL)
    case("expecting nothing verifies nothing", ("empty_secret", None), token=good, audience=None, email=None)
    case("an empty audience verifies nothing", ("empty_secret", None), token=good, audience="")
    case("an empty channel token verifies nothing", ("empty_secret", None), headers={T: ""}, keys=None,
         audience=None, email=None, channel="")
    case("an email without an audience is a misconfiguration", ("empty_secret", None),
         headers={T: CHANNEL}, keys=None, audience=None, channel=CHANNEL)
    case("a skew over 3600 s is a misconfiguration", ("empty_secret", None), token=good, skew=3601)
    case("an audience without keys is invalid_keys", ("invalid_keys", None), token=good, keys=None)
    case("keys that are not JSON are invalid_keys", ("invalid_keys", None), token=good, keys="{not json")
    case("keys without a keys array are invalid_keys", ("invalid_keys", None), token=good, keys={"kid": "k1"})
    case("a 1024-bit key makes the JWKS invalid", ("invalid_keys", None), token=good,
         keys={"keys": [rsa_jwk(k1, "k1"), rsa_jwk(weak, "weak")]})
    case("two keys with one kid make the JWKS invalid", ("invalid_keys", None), token=good,
         keys={"keys": [rsa_jwk(k1, "k1"), rsa_jwk(k2, "k1")]})
    case("more than 32 keys make the JWKS invalid", ("invalid_keys", None), token=good,
         keys={"keys": [rsa_jwk(k1, "k1")] + [{"kty": "oct", "kid": f"x{i}"} for i in range(32)]})

    out.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {out}")
    return 0


def pyjwt_agrees(token, verified, name, audience, skew, now, keys):
    """PyJWT, given the same key, audience, issuers, skew and clock, must say the same."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        jwk = next(k for k in keys["keys"] if k.get("kid") == kid)
        key = jwt.PyJWK(jwk).key
        jwt.decode(token, key, algorithms=["RS256"], audience=audience,
                   issuer=["https://accounts.google.com", "accounts.google.com"],
                   leeway=SKEW if skew is None else skew,
                   options={"require": ["exp", "iat", "iss", "aud"]}, **_clock(now))
        ok = True
    except jwt.PyJWTError:
        ok = False
    if ok != verified:
        sys.exit(f"PyJWT disagrees on {name!r}: it says {'verified' if ok else 'rejected'}")


def _clock(now):
    """PyJWT reads the clock: it is given the corpus's `now` through its module's `datetime`."""
    import datetime as d

    import jwt.api_jwt as api

    class Frozen(d.datetime):
        @classmethod
        def now(cls, tz=None):
            return d.datetime.fromtimestamp(now, tz=tz)

    api.datetime = Frozen  # type: ignore[misc]
    return {}


if __name__ == "__main__":
    raise SystemExit(main())
