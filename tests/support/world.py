"""A populated service for the authorization matrix and the fuzzing: two schools, their teams, a
pending invitation, an import, a campaign and a pupil with an account, all made through the API as
the front-ends make them. Only the support account is created the way operators create it (the
use case behind ``pix-orga users create-support``), and codes are read where the e-mails wait (the
outbox); both through the app's own engine, on the server's loop, so that a world costs no more
than its HTTP calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import bindparam, text

from domain.accounts.create_support_user import CreateSupportUser, CreateSupportUserCommand
from domain.clock import SystemClock
from infrastructure.db.types import UTCDateTime
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.security.password_hasher import FAST_FOR_TESTS, Argon2PasswordHasher
from tests.support.api import API, PASSWORD, bearer, create_organization, log_in, sign_up
from tests.support.live_server import LiveServer
from tests.support.siecle_samples import FIRST_EXPORT, first_export
from tests.support.webhooks import PUBLIC_WEBHOOK_URL

SCHOOL_B = {"name": "Collège Autre", "uai": "0759999Z", "email": "ce.0759999z@ac-paris.fr"}


def identity(first_name: str, last_name: str, birthdate: str) -> dict[str, str]:
    return {"first_name": first_name, "last_name": last_name, "birthdate": birthdate}


# Students of the Lycée Pix sample export, as a pupil types them. The world's pupil (not one of the OpenAPI
# examples, Alan Turing and Camille Abba, which the fuzzer sends as they are):
PUPIL = identity("Arsène", "Lupin", "2008-03-14")
# One never attached, for identity matches:
UNATTACHED = identity("Alan", "Turing", "2002-06-23")
# One more for each caller of the matrix, when each must type a student of its own:
SPARE_PUPILS = (
    identity("Camille", "Abba", "2006-02-25"),
    identity("Emma", "Bovary", "2009-12-02"),
    identity("Jean-Émile", "De La Mole", "2009-11-05"),
    identity("Zoé", "D'Artagnan", "2008-07-14"),
    identity("Maëlys", "Cœurvaillant", "2008-01-01"),
    identity("Thi Lan", "Ngô", "2009-04-30"),
    identity("Hieronymus", "Münchhausen", "2006-02-28"),
    identity("Marius", "Pontmercy", "2009-05-15"),
    identity("Gervaise", "Macquart", "2010-01-17"),
)
# Every scope an API client may hold.
ALL_SCOPES = ("students:read", "students:import", "campaigns:read", "webhooks:manage")


def ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), (
        f"{response.request.method} {response.request.url.path} → {response.status_code}: {response.text}"
    )
    return dict(response.json()) if response.content else {}


class Service:
    """The running app, over HTTP (``client``) and, for what the API does not show, in its database."""

    def __init__(self, client: httpx.Client, server: LiveServer) -> None:
        self.client = client
        self.server = server

    def sql(self, statement: str, **params: Any) -> list[Any]:
        query = text(statement).bindparams(
            *(bindparam(k, type_=UTCDateTime()) for k, v in params.items() if isinstance(v, datetime))
        )

        async def run() -> list[Any]:
            async with self.server.app.state.engine.begin() as connection:
                result = await connection.execute(query, params)
                return list(result.all()) if result.returns_rows else []

        return self.server.call(run())

    def create_support_user(self, email: str) -> None:
        use_case = CreateSupportUser(
            lambda: SqlUnitOfWork(self.server.app.state.engine),
            Argon2PasswordHasher(FAST_FOR_TESTS),
            SystemClock(),
        )
        command = CreateSupportUserCommand(
            email=email, first_name="Sam", last_name="Support", password=PASSWORD
        )
        self.server.call(use_case(command))

    def _last_email(self, to: str, where: str) -> dict[str, Any]:
        for (payload,) in self.sql(f"SELECT payload FROM outbox_emails WHERE {where} ORDER BY id DESC"):
            data = json.loads(payload) if isinstance(payload, str) else payload
            if data["to"] == to:
                return dict(data)
        raise AssertionError(f"no e-mail queued for {to}")

    def invitation_code(self, to: str) -> tuple[int, str]:
        """The id and code of the last invitation e-mailed to ``to``."""
        data = self._last_email(to, "invitation_id IS NOT NULL")
        return int(data["invitation_id"]), str(data["code"])

    def reset_token(self, to: str) -> str:
        return str(self._last_email(to, "kind = 'password_reset'")["token"])

    def recovery_link(self, to: str) -> tuple[str, str]:
        """The id and code of the last account-recovery link e-mailed to ``to``."""
        data = self._last_email(to, "kind = 'account_recovery'")
        return str(data["recovery_id"]), str(data["code"])

    def attached_student_id(self, org_id: int, user_id: int) -> int:
        rows = self.sql(
            "SELECT id FROM students WHERE organization_id = :o AND user_id = :u", o=org_id, u=user_id
        )
        return int(rows[0][0])

    # --- as the front-ends do it ---

    def signed_up(self, email: str) -> str:
        sign_up(self.client, email)
        return str(log_in(self.client, email)["access_token"])

    def accept(self, email: str, token: str) -> int:
        """The account behind ``token`` accepts the last invitation sent to ``email``, then the Pix
        Orga terms; returns the membership id."""
        invitation_id, code = self.invitation_code(email)
        accepted = ok(
            self.client.post(
                f"{API}/organization-invitations/{invitation_id}/accept",
                json={"code": code},
                headers=bearer(token),
            )
        )
        ok(self.client.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(token)), 204)
        return int(accepted["membership"]["id"])

    def invite(self, org_id: int, admin: str, email: str, **fields: Any) -> tuple[int, str]:
        ok(
            self.client.post(
                f"{API}/organizations/{org_id}/invitations",
                json={"emails": email, **fields},
                headers=bearer(admin),
            ),
            201,
        )
        return self.invitation_code(email)

    def activate(self, support: str, admin: str, **school: Any) -> dict[str, Any]:
        """Steps 1 and 2: support creates the school and sends the activation invitation, which the
        account behind ``admin`` accepts (becoming its administrator)."""
        org = create_organization(self.client, support, **school)
        ok(
            self.client.post(
                f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
            ),
            201,
        )
        self.accept(org["email"], admin)
        return org

    def import_sample(self, admin: str, org_id: int) -> None:
        ok(
            self.client.post(
                f"{API}/organizations/{org_id}/student-imports",
                files={"file": (FIRST_EXPORT, first_export().xml, "application/xml")},
                headers=bearer(admin),
            ),
            201,
        )

    def api_client(
        self, org_id: int, admin: str, scopes: Any = ALL_SCOPES, name: str = "ENT"
    ) -> dict[str, Any]:
        """An API client of the organization, created by its administrator (with its secret)."""
        body = {"name": name, "scopes": list(scopes)}
        return ok(
            self.client.post(f"{API}/organizations/{org_id}/api-clients", json=body, headers=bearer(admin)),
            201,
        )

    def client_token(self, api_client: dict[str, Any], scope: str | None = None) -> str:
        """A token of the client (client credentials, HTTP Basic)."""
        data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        auth = (api_client["client_id"], api_client["client_secret"])
        return str(ok(self.client.post(f"{API}/auth/token", data=data, auth=auth), 200)["access_token"])

    def pupil_account(self, code: str, pupil: dict[str, str]) -> dict[str, Any]:
        """A pupil creates its account, attached to its record (login by username, ``PASSWORD``)."""
        body = {**pupil, "login": "username", "password": PASSWORD, "accept_terms": True}
        return ok(self.client.post(f"{API}/campaigns/{code}/student-accounts", json=body), 201)


@dataclass
class World:
    """Organization A (managing students, the Lycée Pix sample imported, a campaign, a pending
    invitation, a colleague's membership, a pupil with an account) and organization B."""

    service: Service
    org_a: dict[str, Any]
    org_b: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    invitation_id: int = 0
    invitation_code: str = ""
    colleague_membership_id: int = 0
    campaign: dict[str, Any] = field(default_factory=dict)
    student_id: int = 0
    api_client_id: int = 0
    webhook_endpoint_id: int = 0

    @property
    def admin_a(self) -> str:
        return self.tokens["admin"]

    @property
    def path_values(self) -> dict[str, Any]:
        """What fills each path parameter: ids of organization A."""
        return {
            "org_id": self.org_a["id"],
            "invitation_id": self.invitation_id,
            "membership_id": self.colleague_membership_id,
            "student_id": self.student_id,
            "campaign_id": self.campaign["id"],
            "code": self.campaign["code"],
            "api_client_id": self.api_client_id,
            "endpoint_id": self.webhook_endpoint_id,
        }


def build_world(service: Service, *, support_administers_a: bool = False) -> World:
    """Callers, in ``tokens``: ``user`` (no membership), ``member`` and ``admin`` of A, ``other_admin``
    (administrator of B), ``support`` (member of nothing; with ``support_administers_a``, support is
    also the administrator of A, and is ``admin`` too), ``student`` (the pupil's account), ``client``
    and ``other_client`` (API clients of A and of B, holding every scope)."""
    client = service.client
    service.create_support_user("support@pix.fr")
    support = str(log_in(client, "support@pix.fr")["access_token"])
    admin = support if support_administers_a else service.signed_up("admin-a@ac-paris.fr")
    tokens = {"support": support, "admin": admin, "other_admin": service.signed_up("admin-b@ac-paris.fr")}
    org_a = service.activate(support, admin)
    org_b = service.activate(support, tokens["other_admin"], **SCHOOL_B)
    world = World(service=service, org_a=org_a, org_b=org_b, tokens=tokens)

    service.import_sample(admin, org_a["id"])
    service.invite(org_a["id"], admin, "member-a@ac-paris.fr")
    tokens["member"] = service.signed_up("member-a@ac-paris.fr")
    service.accept("member-a@ac-paris.fr", tokens["member"])
    service.invite(org_a["id"], admin, "colleague-a@ac-paris.fr")
    world.colleague_membership_id = service.accept(
        "colleague-a@ac-paris.fr", service.signed_up("colleague-a@ac-paris.fr")
    )
    world.invitation_id, world.invitation_code = service.invite(org_a["id"], admin, "pending-a@ac-paris.fr")
    world.campaign = ok(
        client.post(
            f"{API}/organizations/{org_a['id']}/campaigns",
            json={"name": "Rentrée", "type": "ASSESSMENT"},
            headers=bearer(admin),
        ),
        201,
    )
    pupil = service.pupil_account(world.campaign["code"], PUPIL)
    tokens["student"] = pupil["access_token"]
    world.user_ids["student"] = int(pupil["user"]["id"])
    world.student_id = service.attached_student_id(org_a["id"], world.user_ids["student"])
    world.user_ids["user"] = int(sign_up(client, "user@example.fr")["id"])
    tokens["user"] = str(log_in(client, "user@example.fr")["access_token"])
    client_a = service.api_client(org_a["id"], admin)
    world.api_client_id = int(client_a["id"])
    tokens["client"] = service.client_token(client_a)
    tokens["other_client"] = service.client_token(service.api_client(org_b["id"], tokens["other_admin"]))
    # Never delivered: the test server runs no dispatcher (the address is a public one, as required).
    world.webhook_endpoint_id = ok(
        client.post(
            f"{API}/organizations/{org_a['id']}/webhook-endpoints",
            json={"url": PUBLIC_WEBHOOK_URL, "events": ["student.linked"]},
            headers=bearer(admin),
        ),
        201,
    )["id"]
    return world
