"""The authorization matrix: every route of the app × every kind of caller → the status it
answers, in ONE table, checked against the running app; and a check that the table lists exactly
the app's routes, so that an endpoint cannot ship without its access rules.

The callers (``tests/support/world.py`` makes them through the API):
- ``anonymous``: no token;
- ``user``: logged in, member of nothing;
- ``member`` / ``admin``: MEMBER / ADMIN of organization A (a school managing students, with
  ``lycee-pix.xml`` imported), terms accepted;
- ``other_admin``: ADMIN of organization B;
- ``support``: the SUPPORT role, member of nothing;
- ``student``: a pupil whose account is attached to a student of A (a seventh kind, since
  the joining endpoints are the pupils' own);
- ``client`` / ``other_client``: API clients of A / of B holding every scope. Deny by default: a
  client's token gets 403 ``INSUFFICIENT_SCOPE`` on every route but those its scopes open (where a
  client of another organization gets the non-member's 404); routes open to anyone ignore the token.
  Each scope alone is walked over every route in ``test_client_scopes.py``.

A world is A with a pending invitation, a colleague's membership, a campaign and a pupil, and B with
its administrator. Each route that may change something (not GET) is checked in a fresh world
(``server`` empties the database between parametrized cases); the GET routes share one world,
since reading changes nothing. The path is filled with ids of organization A
(``World.path_values``), the body is a minimal valid one (``REQUESTS``), and the callers call in the
order of ``ROLES``. A denial changes nothing, so only the allowed callers could affect one another;
where a success would (an invitation accepted, a student attached, an account created), each
caller gets a target of its own (``REQUESTS`` prepares it), so that each status says who may call,
not who came first.

Order of the checks on an organization endpoint (docs/rules.md): not an active member → 404
``ORGANIZATION_NOT_FOUND`` (support included: support reaches organizations through ``/admin``);
terms not accepted → 403 ``PIX_ORGA_TERMS_NOT_ACCEPTED`` (not a column: every member here accepted
them); role → 403 ``FORBIDDEN``. ``/admin/…`` needs the SUPPORT role (403 ``FORBIDDEN``)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from api.bootstrap import create_app
from tests.support.api import PASSWORD, bearer, sign_up
from tests.support.live_server import LiveServer, test_settings
from tests.support.siecle_samples import FIRST_EXPORT, first_export
from tests.support.webhooks import PUBLIC_WEBHOOK_URL
from tests.support.world import PUPIL, SPARE_PUPILS, UNATTACHED, Service, World, build_world, ok

ROLES = (
    "anonymous",
    "user",
    "member",
    "admin",
    "other_admin",
    "support",
    "student",
    "client",
    "other_client",
)

Expected = int | tuple[int, str]
ANON: Expected = (401, "UNAUTHENTICATED")
HIDDEN: Expected = (404, "ORGANIZATION_NOT_FOUND")
DENIED: Expected = (403, "FORBIDDEN")
NOT_PUPIL: Expected = (403, "NOT_A_STUDENT_OF_ORGANIZATION")
TEACHER: Expected = (403, "ORGANIZATION_MEMBER_CANNOT_LINK")
SCOPE: Expected = (403, "INSUFFICIENT_SCOPE")

# The table. A status alone is a success; a (status, code) pair is a problem with that code.
# fmt: off
MATRIX: dict[tuple[str, str], tuple[Expected, ...]] = {
    # Authentication and accounts
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("POST", "/api/v1/auth/token"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    ("POST", "/api/v1/auth/revoke"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    ("POST", "/api/v1/users"):
        (201,       201,       201,       201,       201,       201,       201,       201,       201),
    ("GET", "/api/v1/users/me"):
        (ANON,      200,       200,       200,       200,       200,       200,       SCOPE,     SCOPE),
    ("PUT", "/api/v1/users/me/password"):
        (ANON,      204,       204,       204,       204,       204,       204,       SCOPE,     SCOPE),
    ("POST", "/api/v1/users/me/pix-orga-terms-acceptance"):
        (ANON,      204,       204,       204,       204,       204,       204,       SCOPE,     SCOPE),
    ("POST", "/api/v1/password-reset-requests"):
        (202,       202,       202,       202,       202,       202,       202,       202,       202),
    ("POST", "/api/v1/password-resets"):
        (204,       204,       204,       204,       204,       204,       204,       204,       204),
    # Each caller recovers a pupil of its own, who joined and left (the recovery is the pupil's,
    # whoever calls: the link proves it).
    ("POST", "/api/v1/account-recoveries"):
        (202,       202,       202,       202,       202,       202,       202,       202,       202),
    ("GET", "/api/v1/account-recoveries/{recovery_id}"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    ("POST", "/api/v1/account-recoveries/{recovery_id}/completion"):
        (204,       204,       204,       204,       204,       204,       204,       204,       204),
    # Organizations, invitations, memberships
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("GET", "/api/v1/organizations/{org_id}"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("POST", "/api/v1/organizations/{org_id}/invitations"):
        (ANON,      HIDDEN,    DENIED,    201,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organizations/{org_id}/invitations"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("POST", "/api/v1/organizations/{org_id}/invitations/{invitation_id}/resend"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("DELETE", "/api/v1/organizations/{org_id}/invitations/{invitation_id}"):
        (ANON,      HIDDEN,    DENIED,    204,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organizations/{org_id}/memberships"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    # The colleague's membership; a member may also remove its own (leave: test_team.py).
    ("PATCH", "/api/v1/organizations/{org_id}/memberships/{membership_id}"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("DELETE", "/api/v1/organizations/{org_id}/memberships/{membership_id}"):
        (ANON,      HIDDEN,    DENIED,    204,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organization-invitations/{invitation_id}"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    # Each caller accepts an invitation of its own; a member of A stays as it is (200).
    ("POST", "/api/v1/organization-invitations/{invitation_id}/accept"):
        (ANON,      201,       200,       200,       201,       201,       201,       SCOPE,     SCOPE),
    ("POST", "/api/v1/sco-activation-requests"):
        (202,       202,       202,       202,       202,       202,       202,       202,       202),
    # Students and imports
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("POST", "/api/v1/organizations/{org_id}/student-imports"):
        (ANON,      HIDDEN,    DENIED,    201,       HIDDEN,    HIDDEN,    HIDDEN,    201,       HIDDEN),
    ("GET", "/api/v1/organizations/{org_id}/student-imports"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("GET", "/api/v1/organizations/{org_id}/student-imports/template.csv"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organizations/{org_id}/students"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("GET", "/api/v1/organizations/{org_id}/divisions"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("POST", "/api/v1/organizations/{org_id}/students/password-resets"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("DELETE", "/api/v1/organizations/{org_id}/students/{student_id}/user-link"):
        (ANON,      HIDDEN,    DENIED,    204,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    # Campaigns and joining
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("POST", "/api/v1/organizations/{org_id}/campaigns"):
        (ANON,      HIDDEN,    201,       201,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organizations/{org_id}/campaigns"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("POST", "/api/v1/organizations/{org_id}/campaigns/{campaign_id}/archive"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organizations/{org_id}/campaigns/{campaign_id}/participations"):
        (ANON,      HIDDEN,    200,       200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("GET", "/api/v1/campaigns/{code}"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    ("POST", "/api/v1/campaigns/{code}/student-matches"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    # Each caller types a student of its own; the pupil's account is the pupil's, whoever calls.
    ("POST", "/api/v1/campaigns/{code}/student-accounts"):
        (201,       201,       201,       201,       201,       201,       201,       201,       201),
    # Each caller types a student of its own; the pupil types itself (already attached: 200).
    ("POST", "/api/v1/campaigns/{code}/student-links"):
        (ANON,      201,       TEACHER,   TEACHER,   201,       201,       200,       SCOPE,     SCOPE),
    ("POST", "/api/v1/campaigns/{code}/participations"):
        (ANON,      NOT_PUPIL, NOT_PUPIL, NOT_PUPIL, NOT_PUPIL, NOT_PUPIL, 201,       SCOPE,     SCOPE),
    ("POST", "/api/v1/campaigns/{code}/participations?preview=true"):
        (ANON,      DENIED,    201,       201,       DENIED,    DENIED,    DENIED,    SCOPE,     SCOPE),
    # API clients (the world's clients hold every scope: these routes are for people only)
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("POST", "/api/v1/organizations/{org_id}/api-clients"):
        (ANON,      HIDDEN,    DENIED,    201,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("GET", "/api/v1/organizations/{org_id}/api-clients"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    ("POST", "/api/v1/organizations/{org_id}/api-clients/{api_client_id}/secret-rotations"):
        (ANON,      HIDDEN,    DENIED,    201,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    # Each caller revokes a client of its own (the world's client still calls after).
    ("DELETE", "/api/v1/organizations/{org_id}/api-clients/{api_client_id}"):
        (ANON,      HIDDEN,    DENIED,    204,       HIDDEN,    HIDDEN,    HIDDEN,    SCOPE,     SCOPE),
    # Webhooks (administrators, and clients with webhooks:manage)
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("POST", "/api/v1/organizations/{org_id}/webhook-endpoints"):
        (ANON,      HIDDEN,    DENIED,    201,       HIDDEN,    HIDDEN,    HIDDEN,    201,       HIDDEN),
    ("GET", "/api/v1/organizations/{org_id}/webhook-endpoints"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("PATCH", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    ("DELETE", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}"):
        (ANON,      HIDDEN,    DENIED,    204,       HIDDEN,    HIDDEN,    HIDDEN,    204,       HIDDEN),
    ("POST", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}/test"):
        (ANON,      HIDDEN,    DENIED,    202,       HIDDEN,    HIDDEN,    HIDDEN,    202,       HIDDEN),
    ("GET", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}/deliveries"):
        (ANON,      HIDDEN,    DENIED,    200,       HIDDEN,    HIDDEN,    HIDDEN,    200,       HIDDEN),
    # Support
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("POST", "/api/v1/admin/organizations"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    201,       DENIED,    SCOPE,     SCOPE),
    ("GET", "/api/v1/admin/organizations"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    ("POST", "/api/v1/admin/organizations/{org_id}/archive"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    ("POST", "/api/v1/admin/organizations/{org_id}/invitations"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    201,       DENIED,    SCOPE,     SCOPE),
    ("GET", "/api/v1/admin/audit-events"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    ("GET", "/api/v1/admin/users"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    ("GET", "/api/v1/admin/students"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    ("GET", "/api/v1/admin/api-clients"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    # Each caller revokes a client of its own.
    ("DELETE", "/api/v1/admin/api-clients/{api_client_id}"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    204,       DENIED,    SCOPE,     SCOPE),
    ("PUT", "/api/v1/admin/students/{student_id}/user-link"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    200,       DENIED,    SCOPE,     SCOPE),
    ("DELETE", "/api/v1/admin/students/{student_id}/user-link"):
        (ANON,      DENIED,    DENIED,    DENIED,    DENIED,    204,       DENIED,    SCOPE,     SCOPE),
    # Outside /api/v1 (``/metrics`` answers by client address, not by caller: the tests run on loopback)
       # anonymous  user       member     admin      other_admin support    student    client     other_client
    ("GET", "/health/live"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    ("GET", "/health/ready"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
    ("GET", "/metrics"):
        (200,       200,       200,       200,       200,       200,       200,       200,       200),
}
# fmt: on

# An id of organization A in the path of organization B, called by B's administrator (who may call
# these routes for B): 404, the code of the thing not found (docs/rules.md), never A's object.
FOREIGN_ID: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/organizations/{org_id}/invitations/{invitation_id}/resend"): "INVITATION_NOT_FOUND",
    ("DELETE", "/api/v1/organizations/{org_id}/invitations/{invitation_id}"): "INVITATION_NOT_FOUND",
    ("PATCH", "/api/v1/organizations/{org_id}/memberships/{membership_id}"): "MEMBERSHIP_NOT_FOUND",
    ("DELETE", "/api/v1/organizations/{org_id}/memberships/{membership_id}"): "MEMBERSHIP_NOT_FOUND",
    ("DELETE", "/api/v1/organizations/{org_id}/students/{student_id}/user-link"): "STUDENT_NOT_FOUND",
    ("POST", "/api/v1/organizations/{org_id}/campaigns/{campaign_id}/archive"): "CAMPAIGN_NOT_FOUND",
    ("GET", "/api/v1/organizations/{org_id}/campaigns/{campaign_id}/participations"): "CAMPAIGN_NOT_FOUND",
    (
        "POST",
        "/api/v1/organizations/{org_id}/api-clients/{api_client_id}/secret-rotations",
    ): "API_CLIENT_NOT_FOUND",
    ("DELETE", "/api/v1/organizations/{org_id}/api-clients/{api_client_id}"): "API_CLIENT_NOT_FOUND",
    ("PATCH", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}"): "WEBHOOK_ENDPOINT_NOT_FOUND",
    (
        "DELETE",
        "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}",
    ): "WEBHOOK_ENDPOINT_NOT_FOUND",
    (
        "POST",
        "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}/test",
    ): "WEBHOOK_ENDPOINT_NOT_FOUND",
    ("GET", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}/deliveries"): (
        "WEBHOOK_ENDPOINT_NOT_FOUND"
    ),
}

ORGANIZATION = "/api/v1/organizations/{org_id}/"

# Served by the app but not API: the interactive documentation and its files.
NOT_API = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect"})

# --- Minimal valid requests ---------------------------------------------------------------------

Request = dict[str, Any]
Prepare = Callable[[World, str], Request]
_n = itertools.count(1)


def _accept(world: World, role: str) -> Request:
    invitation_id, code = world.service.invite(world.org_a["id"], world.admin_a, f"accept-{role}@ac-paris.fr")
    return {"path": {"invitation_id": invitation_id}, "json": {"code": code}}


def _resend(world: World, role: str) -> Request:
    # One resend a minute: the pending invitation was sent two minutes ago.
    two_minutes_ago = datetime.now(UTC) - timedelta(minutes=2)
    world.service.sql(
        "UPDATE invitations SET last_sent_at = :t WHERE id = :i", t=two_minutes_ago, i=world.invitation_id
    )
    return {}


def _password_reset(world: World, role: str) -> Request:
    email = f"forgot-{role}@example.fr"
    sign_up(world.service.client, email)
    ok(
        world.service.client.post("/api/v1/password-reset-requests", json={"email": email, "app": "orga"}),
        202,
    )
    return {"json": {"token": world.service.reset_token(email), "new_password": PASSWORD}}


def spare_pupil(role: str) -> dict[str, str]:
    """A student of A with no account, a different one for each caller."""
    return SPARE_PUPILS[ROLES.index(role)]


def _recovery(world: World, role: str) -> Request:
    """The body of a recovery request for a spare pupil of A (one for each caller) who joined with a
    username, then left (the record disabled, as the next import does)."""
    pupil = spare_pupil(role)
    account = world.service.pupil_account(world.campaign["code"], pupil)
    student = world.service.attached_student_id(world.org_a["id"], account["user"]["id"])
    world.service.sql("UPDATE students SET disabled_at = :t WHERE id = :i", t=datetime.now(UTC), i=student)
    ((ine,),) = world.service.sql("SELECT national_student_id FROM students WHERE id = :i", i=student)
    return {"json": {**pupil, "national_student_id": ine, "email": f"recovered-{role}@example.net"}}


def _recovery_link(world: World, role: str) -> tuple[str, str]:
    asked = _recovery(world, role)
    ok(world.service.client.post("/api/v1/account-recoveries", **asked), 202)
    return world.service.recovery_link(asked["json"]["email"])


def _read_recovery(world: World, role: str) -> Request:
    recovery_id, code = _recovery_link(world, role)
    return {"path": {"recovery_id": recovery_id}, "params": {"code": code}}


def _complete_recovery(world: World, role: str) -> Request:
    recovery_id, code = _recovery_link(world, role)
    return {"path": {"recovery_id": recovery_id}, "json": {"code": code, "password": PASSWORD}}


def _student_account(world: World, role: str) -> Request:
    return {"json": {**spare_pupil(role), "login": "username", "password": PASSWORD, "accept_terms": True}}


def _student_link(world: World, role: str) -> Request:
    return {"json": PUPIL if role == "student" else spare_pupil(role)}


def _student_password_reset(world: World, role: str) -> Request:
    # Another pupil than the world's: a reset logs the pupil out.
    account = world.service.pupil_account(world.campaign["code"], spare_pupil(role))
    student = world.service.attached_student_id(world.org_a["id"], account["user"]["id"])
    return {"json": {"student_ids": [student]}, "headers": {"Accept": "application/json"}}


def _import(world: World, role: str) -> Request:
    return {"files": {"file": (FIRST_EXPORT, first_export().xml, "application/xml")}}


def _own_api_client(world: World, role: str) -> Request:
    """A client of A for this caller to revoke, so that the world's client keeps calling."""
    created = world.service.api_client(
        world.org_a["id"], world.admin_a, ("students:read",), f"to-revoke-{role}"
    )
    return {"path": {"api_client_id": created["id"]}}


def _own_webhook_endpoint(world: World, role: str) -> Request:
    """An endpoint of A for this caller to delete, so that the world's endpoint stays."""
    created = ok(
        world.service.client.post(
            f"/api/v1/organizations/{world.org_a['id']}/webhook-endpoints",
            json={"url": PUBLIC_WEBHOOK_URL, "events": ["student.linked"]},
            headers=bearer(world.admin_a),
        ),
        201,
    )
    return {"path": {"endpoint_id": created["id"]}}


def body(**json: Any) -> Prepare:
    return lambda world, role: {"json": json}


REQUESTS: dict[tuple[str, str], Prepare] = {
    ("POST", "/api/v1/auth/token"): lambda w, r: {
        "data": {"username": "user@example.fr", "password": PASSWORD}
    },
    ("POST", "/api/v1/auth/revoke"): lambda w, r: {"data": {"token": "not-a-refresh-token"}},
    ("POST", "/api/v1/users"): lambda w, r: {
        "json": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": f"new-{r}-{next(_n)}@example.fr",
            "password": PASSWORD,
            "accept_terms": True,
        }
    },
    ("PUT", "/api/v1/users/me/password"): body(current_password=PASSWORD, new_password=PASSWORD),
    ("POST", "/api/v1/password-reset-requests"): lambda w, r: {
        "json": {"email": f"nobody-{r}@example.fr", "app": "orga"}
    },
    ("POST", "/api/v1/password-resets"): _password_reset,
    ("POST", "/api/v1/account-recoveries"): _recovery,
    ("GET", "/api/v1/account-recoveries/{recovery_id}"): _read_recovery,
    ("POST", "/api/v1/account-recoveries/{recovery_id}/completion"): _complete_recovery,
    ("POST", "/api/v1/organizations/{org_id}/invitations"): lambda w, r: {
        "json": {"emails": f"invited-{r}@ac-paris.fr"}
    },
    ("POST", "/api/v1/organizations/{org_id}/invitations/{invitation_id}/resend"): _resend,
    ("PATCH", "/api/v1/organizations/{org_id}/memberships/{membership_id}"): body(role="ADMIN"),
    ("GET", "/api/v1/organization-invitations/{invitation_id}"): lambda w, r: {
        "params": {"code": w.invitation_code}
    },
    ("POST", "/api/v1/organization-invitations/{invitation_id}/accept"): _accept,
    ("POST", "/api/v1/sco-activation-requests"): lambda w, r: {
        "json": {"uai": w.org_a["uai"], "first_name": "Ada", "last_name": "Lovelace"}
    },
    ("POST", "/api/v1/organizations/{org_id}/student-imports"): _import,
    ("POST", "/api/v1/organizations/{org_id}/students/password-resets"): _student_password_reset,
    ("POST", "/api/v1/organizations/{org_id}/campaigns"): body(name="Rentrée", type="ASSESSMENT"),
    ("POST", "/api/v1/organizations/{org_id}/webhook-endpoints"): body(
        url=PUBLIC_WEBHOOK_URL, events=["student.linked"]
    ),
    ("PATCH", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}"): body(status="DISABLED"),
    ("DELETE", "/api/v1/organizations/{org_id}/webhook-endpoints/{endpoint_id}"): _own_webhook_endpoint,
    ("POST", "/api/v1/campaigns/{code}/student-matches"): body(**UNATTACHED),
    ("POST", "/api/v1/campaigns/{code}/student-accounts"): _student_account,
    ("POST", "/api/v1/campaigns/{code}/student-links"): _student_link,
    ("POST", "/api/v1/admin/organizations"): body(name="Entreprise", type="PRO"),
    ("POST", "/api/v1/admin/organizations/{org_id}/invitations"): body(),
    ("PUT", "/api/v1/admin/students/{student_id}/user-link"): lambda w, r: {
        "json": {"user_id": w.user_ids["user"]}
    },
    ("POST", "/api/v1/organizations/{org_id}/api-clients"): lambda w, r: {
        "json": {"name": f"ENT {r}", "scopes": ["students:read"]}
    },
    ("DELETE", "/api/v1/organizations/{org_id}/api-clients/{api_client_id}"): _own_api_client,
    ("DELETE", "/api/v1/admin/api-clients/{api_client_id}"): _own_api_client,
}

PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def route_of(entry: tuple[str, str]) -> tuple[str, str]:
    """A table entry names a route, or a route with a query (``?preview=true``)."""
    method, path = entry
    return method, path.split("?", 1)[0]


def problem_code(response: httpx.Response) -> str | None:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return None
    return str(response.json().get("code"))


def call(world: World, entry: tuple[str, str], role: str, **path_values: Any) -> httpx.Response:
    method, path = route_of(entry)
    prepare = REQUESTS.get(route_of(entry))
    request = prepare(world, role) if prepare else {}
    values = {**world.path_values, **request.pop("path", {}), **path_values}
    url = PATH_PARAMETER.sub(lambda match: str(values[match.group(1)]), path)
    if "?" in entry[1]:
        request["params"] = dict(httpx.QueryParams(entry[1].split("?", 1)[1]))
    headers = {**request.pop("headers", {}), **(bearer(world.tokens[role]) if role != "anonymous" else {})}
    return world.service.client.request(method, url, headers=headers, **request)


def mismatch(expected: Expected, response: httpx.Response) -> str | None:
    status, code = expected if isinstance(expected, tuple) else (expected, None)
    got_code = problem_code(response)
    if response.status_code == status and (code is None or got_code == code):
        return None
    want = f"{status} {code}" if code else str(status)
    return f"expected {want}, got {response.status_code} {got_code or ''}: {response.text[:300]}"


def check_callers(world: World, entry: tuple[str, str]) -> list[str]:
    wrong = []
    for role, expected in zip(ROLES, MATRIX[entry], strict=True):
        if problem := mismatch(expected, call(world, entry, role)):
            wrong.append(f"  {' '.join(entry)} as {role}: {problem}")
    return wrong


READS = [entry for entry in MATRIX if entry[0] == "GET"]
WRITES = [entry for entry in MATRIX if entry[0] != "GET"]


@pytest.mark.parametrize("entry", WRITES, ids=" ".join)
def test_each_caller_gets_the_status_of_the_table(
    server: LiveServer, client: httpx.Client, entry: tuple[str, str]
) -> None:
    """A fresh world for each route that may change something."""
    wrong = check_callers(build_world(Service(client, server)), entry)
    assert wrong == [], "\n" + "\n".join(wrong)


def test_each_caller_reads_what_the_table_says(server: LiveServer, client: httpx.Client) -> None:
    """One world for all the GET routes: reading changes nothing."""
    world = build_world(Service(client, server))
    wrong = [problem for entry in READS for problem in check_callers(world, entry)]
    assert wrong == [], "\n" + "\n".join(wrong)


def test_an_id_of_another_organization_is_not_found(server: LiveServer, client: httpx.Client) -> None:
    """One world for all: each call is refused, and changes nothing."""
    world = build_world(Service(client, server))
    wrong = []
    for entry, code in FOREIGN_ID.items():
        response = call(world, entry, "other_admin", org_id=world.org_b["id"])
        if problem := mismatch((404, code), response):
            wrong.append(f"  {' '.join(entry)}: {problem}")
    assert wrong == [], "an id of A under B's path:\n" + "\n".join(wrong)


# --- The caller is refused before the request is looked at --------------------------------------

# Routes whose callers are checked before their body and query are validated or read: every
# organization route and every support route.
GUARDED = ("/api/v1/organizations/{org_id}", "/api/v1/admin/")
REFUSALS = (ANON, HIDDEN, DENIED, SCOPE)
# Valid JSON, wrong for every route: a refused caller must get its refusal, not 422.
INVALID_BODY = {
    "emails": 12,
    "role": "KING",
    "locale": "xx",
    "name": None,
    "type": "NOPE",
    "email": ["not", "a", "string"],
    "student_ids": "all",
    "user_id": "me",
    "scopes": "all",
}
INVALID_QUERY = {"page": "0", "page_size": "1000000", "status": "NOPE", "dry_run": "maybe", "linked": "maybe"}


def test_a_refused_caller_is_refused_before_the_request_is_validated(
    server: LiveServer, client: httpx.Client
) -> None:
    """Anonymous, non-member, member-on-an-administrator's-route and a client without the scope:
    401, 404 or 403 whatever the body and the query hold (one world: each call is refused and
    changes nothing)."""
    world = build_world(Service(client, server))
    guarded = [entry for entry in MATRIX if route_of(entry)[1].startswith(GUARDED)]
    wrong = []
    for entry in guarded:
        method, path = route_of(entry)
        url = PATH_PARAMETER.sub(lambda match: str(world.path_values[match.group(1)]), path)
        for role, expected in zip(ROLES, MATRIX[entry], strict=True):
            if expected not in REFUSALS:
                continue
            headers = bearer(world.tokens[role]) if role != "anonymous" else {}
            response = client.request(method, url, json=INVALID_BODY, params=INVALID_QUERY, headers=headers)
            if problem := mismatch(expected, response):
                wrong.append(f"  {method} {path} as {role}: {problem}")
    assert len(guarded) >= 20, guarded
    assert wrong == [], "\n" + "\n".join(wrong)


# --- The table lists exactly the app's routes ---------------------------------------------------


def routes_of(app: FastAPI) -> Iterator[tuple[str, str]]:
    """``(method, path)`` of every route the app serves, documentation excepted (``/metrics`` and
    the health checks are routes like the others, though outside the OpenAPI description)."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount) or route.path in NOT_API:
            continue
        methods = set(route.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")
        for method in sorted(methods):
            yield method, str(route.path)


def test_the_table_lists_every_route_of_the_app_and_no_other() -> None:
    app = create_app(test_settings("sqlite:///:memory:"))
    served = set(routes_of(app))
    listed = {route_of(entry) for entry in MATRIX}
    assert len(served) >= 40, served
    assert sorted(served - listed) == [], "routes without access rules: add them to MATRIX"
    assert sorted(listed - served) == [], "MATRIX lists routes the app no longer has"
    assert set(REQUESTS) <= listed, f"REQUESTS for unknown routes: {sorted(set(REQUESTS) - listed)}"
    nested = {
        (m, p) for m, p in listed if p.startswith("/api/v1/organizations/{org_id}/") and p.count("{") > 1
    }
    assert sorted(nested - set(FOREIGN_ID)) == [], (
        "routes with an id under an organization: add them to FOREIGN_ID"
    )
    assert set(FOREIGN_ID) <= listed, f"FOREIGN_ID for unknown routes: {sorted(set(FOREIGN_ID) - listed)}"
    assert all(len(row) == len(ROLES) for row in MATRIX.values())
