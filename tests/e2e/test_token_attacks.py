"""Hostile tokens: every forged, altered, expired, revoked or misused token answers 401
``UNAUTHENTICATED``, and a change of membership takes effect at once on tokens issued before.

The forgeries start from a real token of the server and change one thing; a control re-signs
the same claims with the server's own key and algorithm and must be accepted, so each 401 is due
to the one change, not to a clumsy forgery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.api import API, admin_of_new_organization, bearer, log_in, sign_up
from tests.support.campaigns import member_token

ME = f"{API}/users/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    encode = lambda part: b64url(json.dumps(part, separators=(",", ":")).encode())  # noqa: E731
    return f"{encode(header)}.{encode(claims)}.{b64url(signature)}"


def hs256_with_key(claims: dict[str, Any], key: bytes) -> str:
    """HS256 by hand, with any bytes as the key (PyJWT refuses a PEM key as an HMAC secret, which
    is exactly what the algorithm-confusion attack uses)."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.fixture
def account(client, server):
    """A logged-in account: its tokens, the claims of its access token, and a signer holding the
    server's secret."""
    sign_up(client, "cible@example.fr")
    tokens = log_in(client, "cible@example.fr")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    secret = server.settings.secret_key

    def sign(changes: dict[str, Any], *, drop: tuple[str, ...] = (), algorithm: str = "HS256") -> str:
        forged = {**claims, **changes}
        for name in drop:
            forged.pop(name)
        return jwt.encode(forged, secret, algorithm=algorithm)

    return tokens, claims, sign


def test_the_control_forgery_is_accepted(client, account):
    _, _, sign = account
    assert client.get(ME, headers=bearer(sign({}))).status_code == 200


def test_a_tampered_signature(client, account):
    tokens, _, _ = account
    head, payload, signature = tokens["access_token"].split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert_unauthenticated(client.get(ME, headers=bearer(f"{head}.{payload}.{flipped}")))
    assert_unauthenticated(client.get(ME, headers=bearer(f"{head}.{payload}.")))


def test_a_tampered_payload_keeps_no_signature(client, account):
    """Another user id in the claims, the original signature kept."""
    tokens, claims, _ = account
    head, _, signature = tokens["access_token"].split(".")
    other = b64url(json.dumps({**claims, "sub": str(int(claims["sub"]) + 1)}).encode())
    assert_unauthenticated(client.get(ME, headers=bearer(f"{head}.{other}.{signature}")))


def test_an_expired_token(client, account):
    _, _, sign = account
    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = sign({"iat": int((past - timedelta(minutes=15)).timestamp()), "exp": int(past.timestamp())})
    assert_unauthenticated(client.get(ME, headers=bearer(expired)))


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none(client, account, alg):
    _, claims, _ = account
    assert_unauthenticated(client.get(ME, headers=bearer(unsigned({"alg": alg, "typ": "JWT"}, claims))))


def test_rs256_signed_with_a_fresh_key(client, account):
    """The server accepts HS256 only: an RS256 token, even well formed, is refused."""
    _, claims, _ = account
    key = rsa_key()
    token = jwt.encode(claims, key, algorithm="RS256")
    assert jwt.decode(token, key.public_key(), algorithms=["RS256"])  # a valid RS256 token
    assert_unauthenticated(client.get(ME, headers=bearer(token)))


def test_hs256_signed_with_a_public_key_as_the_secret(client, account):
    """The HS/RS confusion: a public key (known to everybody) used as the HMAC secret."""
    _, claims, _ = account
    public_pem = (
        rsa_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert_unauthenticated(client.get(ME, headers=bearer(hs256_with_key(claims, public_pem))))


def test_hs256_signed_with_another_secret(client, account):
    _, claims, _ = account
    token = jwt.encode(claims, "another-secret-key-that-is-long-enough-0123", algorithm="HS256")
    assert_unauthenticated(client.get(ME, headers=bearer(token)))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_another_hmac_algorithm_with_the_right_secret(client, account, algorithm):
    """The algorithm is pinned: the server's own secret under HS512 is still refused."""
    _, _, sign = account
    assert_unauthenticated(client.get(ME, headers=bearer(sign({}, algorithm=algorithm))))


@pytest.mark.parametrize(
    ("change", "drop"),
    [
        pytest.param({}, ("sid",), id="no sid"),
        pytest.param({}, ("typ",), id="no typ"),
        pytest.param({}, ("exp",), id="no exp"),
        pytest.param({}, ("sub",), id="no sub"),
        pytest.param({}, ("iss",), id="no iss"),
        pytest.param({"typ": "refresh"}, (), id="typ refresh"),
        pytest.param({"iss": "someone-else"}, (), id="other issuer"),
        pytest.param({"sub": "not-a-number"}, (), id="sub not an id"),
        pytest.param({"sid": "00000000-0000-4000-8000-000000000000"}, (), id="unknown session"),
        pytest.param({"sub": "999999"}, (), id="another account with this session"),
    ],
)
def test_signed_claims_that_are_wrong(client, account, change, drop):
    """Signed with the server's secret, so only the claims are at fault."""
    _, _, sign = account
    assert_unauthenticated(client.get(ME, headers=bearer(sign(change, drop=drop))))


def test_a_revoked_session(client, account):
    """Logging out (revoking the refresh token) ends the session's access token at once."""
    tokens, _, sign = account
    assert client.post(f"{API}/auth/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
    assert_unauthenticated(client.get(ME, headers=bearer(tokens["access_token"])))
    assert_unauthenticated(client.get(ME, headers=bearer(sign({}))))  # re-signed: still the dead session


def test_a_refresh_token_is_not_an_access_token(client, account):
    tokens, _, _ = account
    assert_unauthenticated(client.get(ME, headers=bearer(tokens["refresh_token"])))
    # nor the other way round (422: an access token is longer than any refresh token)
    as_refresh = client.post(
        f"{API}/auth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["access_token"]}
    )
    assert as_refresh.status_code in (401, 422), as_refresh.text


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Basic Y2libGU6TW90ZGVwYXNzZTE=",
        "Bearer a.b.c",
        "Bearer " + "A" * 5000,
        "bearer x.y",
    ],
)
def test_malformed_authorization_headers(client, account, authorization):
    assert_unauthenticated(client.get(ME, headers={"Authorization": authorization}))


# --- membership changes take effect at once --------------------------------------------------
# A member removed from an organization loses access with the token issued before:
# tests/e2e/test_team.py::TestMemberships::test_a_removed_member_loses_access_at_once.


def test_a_demoted_administrator_loses_the_admin_rights_at_once(client, server):
    database_url = server.settings.database_url
    org, head = admin_of_new_organization(client, database_url)
    colleague = member_token(client, database_url, org["id"], head, "adjoint@ac-paris.fr", role="ADMIN")
    invitations = f"{API}/organizations/{org['id']}/invitations"
    as_colleague: Callable[[], Any] = lambda: client.get(invitations, headers=bearer(colleague))  # noqa: E731
    assert as_colleague().status_code == 200

    members = client.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(head)).json()
    membership = next(m for m in members["items"] if m["user"]["email"] == "adjoint@ac-paris.fr")
    demoted = client.patch(
        f"{API}/organizations/{org['id']}/memberships/{membership['id']}",
        json={"role": "MEMBER"},
        headers=bearer(head),
    )
    assert demoted.status_code == 200

    refused = as_colleague()  # the same token, issued while ADMIN
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "FORBIDDEN"
    # still a member: what members may do still works
    assert client.get(f"{API}/organizations/{org['id']}", headers=bearer(colleague)).status_code == 200
