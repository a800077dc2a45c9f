"""An OpenID Connect relying party built on authlib (pinned in scripts/setup.sh), driven by
crates/akashi-server/tests/oidc_authlib.rs over stdin/stdout, one JSON object per line.

  {"cmd": "start", "issuer", "client_id", "client_secret", "redirect_uri", "scope",
   "acr_values"?}  ->  {"url": the authorization URL}
  {"cmd": "callback", "url": the callback URL the browser was sent to, "acr": the acr values
   accepted (acr then essential), "refuse_acr"?: other values to demand of the same token}
      ->  {"id_token": the validated claims, "userinfo", "token_type", "tampered": why
           authlib refused the ID token with one signature byte changed (null if it did not),
           "refused_acr"?: why it refused the token demanding `refuse_acr`}
          or {"error": "..."} when authlib refused the login.

Everything an RP must check is authlib's: discovery, JWKS, PKCE S256, state, the code
exchange with client_secret_basic, the ID token (signature, iss, aud, exp, iat, nonce,
at_hash, acr) and userinfo. Only RFC 9207's `iss`, which authlib does not check, is compared
here, from authlib's own parse of the callback.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider is on http loopback

from authlib.deprecate import AuthlibDeprecationWarning  # noqa: E402

# authlib.jose says at import that joserfc is its future; the API used here is still authlib's.
warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)

import requests  # noqa: E402
from authlib.common.encoding import urlsafe_b64decode, urlsafe_b64encode  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.jose.errors import JoseError  # noqa: E402
from authlib.oauth2.rfc6749.parameters import parse_authorization_code_response  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402
from joserfc.errors import JoseError as ClaimsError  # authlib's claim checks raise these  # noqa: E402


def validate(id_token, jwks, login, acr, access_token):
    options = {
        "iss": {"essential": True, "value": login["issuer"]},
        "aud": {"essential": True, "value": login["client_id"]},
    }
    if acr:  # acceptable values; one is asked as the value (OpenID Connect Core §5.5.1)
        options["acr"] = (
            {"essential": True, "value": acr[0]}
            if len(acr) == 1
            else {"essential": True, "values": acr}
        )
    claims = jwt.decode(
        id_token,
        JsonWebKey.import_key_set(jwks),
        claims_cls=CodeIDToken,
        claims_options=options,
        claims_params={
            "nonce": login["nonce"],
            "client_id": login["client_id"],
            "access_token": access_token,
        },
    )
    claims.validate()
    return claims


def refusal(f):
    """Why authlib refused, or None if it accepted."""
    try:
        f()
    except (JoseError, ClaimsError) as e:
        return f"{type(e).__name__}: {e}"
    return None


def tamper(id_token):
    head, payload, sig = id_token.split(".")
    raw = bytearray(urlsafe_b64decode(sig.encode()))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, payload, urlsafe_b64encode(bytes(raw)).decode()])


def start(msg):
    meta = requests.get(msg["issuer"] + "/.well-known/openid-configuration", timeout=10).json()
    if meta["issuer"] != msg["issuer"]:
        raise ValueError(f"discovery names issuer {meta['issuer']}")
    session = OAuth2Session(
        msg["client_id"],
        msg["client_secret"],
        scope=msg["scope"],
        redirect_uri=msg["redirect_uri"],
        token_endpoint_auth_method="client_secret_basic",
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(48), generate_token(20)
    extra = {"nonce": nonce}
    if msg.get("acr_values"):
        extra["acr_values"] = msg["acr_values"]
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], state=generate_token(20), code_verifier=verifier, **extra
    )
    login = {
        "session": session,
        "meta": meta,
        "issuer": msg["issuer"],
        "client_id": msg["client_id"],
        "verifier": verifier,
        "nonce": nonce,
        "state": state,
    }
    return login, {"url": url}


def callback(login, msg):
    session, meta = login["session"], login["meta"]
    params = parse_authorization_code_response(msg["url"], state=login["state"])
    if params.get("iss") != meta["issuer"]:
        raise ValueError(f"RFC 9207: iss {params.get('iss')!r} is not {meta['issuer']!r}")
    token = session.fetch_token(
        meta["token_endpoint"],
        authorization_response=msg["url"],
        state=login["state"],
        code_verifier=login["verifier"],
    )
    jwks = requests.get(meta["jwks_uri"], timeout=10).json()
    id_token, access = token["id_token"], token["access_token"]
    claims = validate(id_token, jwks, login, msg["acr"], access)
    info = session.get(meta["userinfo_endpoint"], timeout=10)
    info.raise_for_status()
    out = {
        "id_token": dict(claims),
        "userinfo": info.json(),
        "token_type": token["token_type"],
        "tampered": refusal(lambda: validate(tamper(id_token), jwks, login, msg["acr"], access)),
    }
    if msg.get("refuse_acr"):
        out["refused_acr"] = refusal(
            lambda: validate(id_token, jwks, login, msg["refuse_acr"], access)
        )
    return out


def main():
    login = None
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["cmd"] == "start":
                login, answer = start(msg)
            else:
                answer = callback(login, msg)
        except Exception as e:  # reported to the test, which decides
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
