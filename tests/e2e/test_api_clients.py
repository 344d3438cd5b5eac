"""API clients over HTTP: created by an administrator (secret shown once), tokens by the client
credentials grant (HTTP Basic or form; a standard OAuth2 client library gets one unchanged),
rotation with a 24-hour overlap, revocation at once, support's list and revoke, the audit trail,
rate limits per client, and a roster pushed by a client shown as such in the history."""

from __future__ import annotations

import base64
import concurrent.futures
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.api import API, bearer, db_execute, problem
from tests.support.live_server import LiveServer, test_settings
from tests.support.siecle_samples import FIRST_EXPORT, first_export
from tests.support.world import Service, World, build_world, ok
from tests.unit.fakes import FakeClock

with warnings.catch_warnings():
    # Authlib announces, on import, a successor module for httpx 2; this one is the one for httpx.
    # (Its warning module turns its warnings on when imported: import it before silencing them.)
    import authlib.deprecate

    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuth2Client

TOKEN_URL = f"{API}/auth/token"


def credentials(data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"grant_type": "client_credentials", **(data or {})}


def clients_url(world: World) -> str:
    return f"{API}/organizations/{world.org_a['id']}/api-clients"


def create(world: World, scopes: tuple[str, ...] = ("students:read",), name: str = "ENT") -> dict[str, Any]:
    return world.service.api_client(world.org_a["id"], world.admin_a, scopes, name)


def token_of(client: httpx.Client, api_client: dict[str, Any], secret: str | None = None) -> httpx.Response:
    return client.post(
        TOKEN_URL, data=credentials(), auth=(api_client["client_id"], secret or api_client["client_secret"])
    )


def listing(client: httpx.Client, world: World) -> list[dict[str, Any]]:
    response = client.get(clients_url(world), headers=bearer(world.admin_a))
    assert response.status_code == 200, response.text
    return list(response.json())


def students_of(client: httpx.Client, world: World, token: str) -> httpx.Response:
    return client.get(f"{API}/organizations/{world.org_a['id']}/students", headers=bearer(token))


@pytest.fixture
def world(server: LiveServer, client: httpx.Client) -> World:
    return build_world(Service(client, server))


class TestCreation:
    def test_the_secret_is_shown_once_and_stored_hashed(self, client: httpx.Client, world: World) -> None:
        created = create(world, ("students:read", "students:import"), "ENT Occitanie")
        assert created["name"] == "ENT Occitanie"
        assert created["scopes"] == ["students:import", "students:read"]
        assert created["client_id"].startswith("pxc_")
        assert created["client_secret"].startswith("pxs_")
        assert len(created["client_secret"]) >= 40
        assert created["last_used_at"] is None
        listed = listing(client, world)
        mine = next(item for item in listed if item["id"] == created["id"])
        assert "client_secret" not in mine
        assert created["client_secret"] not in str(listed)
        stored = db_execute(
            world.service.server.settings.database_url,
            "SELECT secret_hash FROM api_clients WHERE id = :i",
            i=created["id"],
        )[0][0]
        assert created["client_secret"] not in stored
        assert len(stored) == 64

    def test_scopes_and_name_are_checked(self, client: httpx.Client, world: World) -> None:
        for body in (
            {"name": "ENT", "scopes": ["students:write"]},
            {"name": "ENT", "scopes": []},
            {"name": "  ", "scopes": ["students:read"]},
            {"name": "x" * 101, "scopes": ["students:read"]},
        ):
            problem(
                client.post(clients_url(world), json=body, headers=bearer(world.admin_a)),
                422,
                "VALIDATION_ERROR",
            )

    def test_at_most_ten_live_clients(self, client: httpx.Client, world: World) -> None:
        # The world's admin already created one.
        made = [create(world, name=f"ENT {n}") for n in range(9)]
        body = {"name": "one too many", "scopes": ["students:read"]}
        refused = client.post(clients_url(world), json=body, headers=bearer(world.admin_a))
        assert problem(refused, 409, "TOO_MANY_API_CLIENTS")["meta"] == {"max": 10}
        ok(client.delete(f"{clients_url(world)}/{made[0]['id']}", headers=bearer(world.admin_a)), 204)
        ok(client.post(clients_url(world), json=body, headers=bearer(world.admin_a)), 201)


class TestTokenEndpoint:
    def test_basic_or_form_authentication_gives_a_token(self, client: httpx.Client, world: World) -> None:
        created = create(world, ("students:read", "campaigns:read"))
        basic = token_of(client, created)
        assert basic.status_code == 200, basic.text
        body = basic.json()
        assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
        assert (body["token_type"], body["expires_in"], body["scope"]) == (
            "bearer",
            900,
            "campaigns:read students:read",
        )
        assert basic.headers["cache-control"] == "no-store"  # RFC 6749 §5.1 (every API answer has it)
        form = client.post(
            TOKEN_URL,
            data=credentials({"client_id": created["client_id"], "client_secret": created["client_secret"]}),
        )
        assert form.status_code == 200, form.text
        assert ok(students_of(client, world, form.json()["access_token"]))["total"] > 0

    def test_a_wrong_secret_or_an_unknown_client_is_invalid_client(
        self, client: httpx.Client, world: World
    ) -> None:
        created = create(world)
        wrong = token_of(client, created, secret="pxs_not-the-secret")
        body = problem(wrong, 401, "INVALID_CLIENT")
        assert body["error"] == "invalid_client"
        assert wrong.headers["www-authenticate"].startswith("Basic")
        unknown = client.post(TOKEN_URL, data=credentials({"client_id": "pxc_nobody", "client_secret": "x"}))
        assert problem(unknown, 401, "INVALID_CLIENT")["error"] == "invalid_client"
        nothing = client.post(TOKEN_URL, data=credentials())
        problem(nothing, 401, "INVALID_CLIENT")
        garbled = client.post(TOKEN_URL, data=credentials(), headers={"Authorization": "Basic %%%"})
        problem(garbled, 401, "INVALID_CLIENT")
        # Two different clients named at once: neither is trusted.
        other = create(world, name="other")
        both = client.post(
            TOKEN_URL,
            data=credentials({"client_id": other["client_id"]}),
            auth=(created["client_id"], created["client_secret"]),
        )
        problem(both, 401, "INVALID_CLIENT")

    def test_a_scope_not_granted_is_invalid_scope(self, client: httpx.Client, world: World) -> None:
        created = create(world, ("students:read",))
        auth = (created["client_id"], created["client_secret"])
        for scope in ("students:import", "students:read nope", "pix-orga"):
            refused = client.post(TOKEN_URL, data=credentials({"scope": scope}), auth=auth)
            assert problem(refused, 400, "INVALID_SCOPE")["error"] == "invalid_scope"
        subset = client.post(TOKEN_URL, data=credentials({"scope": "students:read"}), auth=auth)
        assert subset.json()["scope"] == "students:read"

    def test_the_password_grant_is_unchanged(self, client: httpx.Client, world: World) -> None:
        logged = ok(
            client.post(TOKEN_URL, data={"username": "admin-a@ac-paris.fr", "password": "Motdepasse1"})
        )
        assert {"refresh_token", "must_change_password"} <= set(logged)

    def test_a_clients_token_is_not_a_persons(self, client: httpx.Client, world: World) -> None:
        """A client's token cannot be refreshed nor used where a person's is read."""
        token = token_of(client, create(world)).json()["access_token"]
        refresh = client.post(TOKEN_URL, data={"grant_type": "refresh_token", "refresh_token": token})
        assert refresh.status_code in (401, 422), refresh.text  # too long for a refresh token, too
        problem(client.get(f"{API}/users/me", headers=bearer(token)), 403, "INSUFFICIENT_SCOPE")

    def test_last_used_at_is_recorded_at_token_issue(self, client: httpx.Client, world: World) -> None:
        created = create(world)
        ok(token_of(client, created))
        listed = listing(client, world)
        used = next(item for item in listed if item["id"] == created["id"])["last_used_at"]
        assert used is not None
        assert datetime.fromisoformat(used) > datetime.now(UTC) - timedelta(minutes=1)


class TestStandardClientLibrary:
    """Authlib's OAuth2 clients, as an integrator would use them, with nothing adapted to us."""

    @pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
    def test_authlib_gets_a_token_and_calls_the_api(
        self, server: LiveServer, world: World, method: str
    ) -> None:
        created = create(world, ("students:read",))
        with OAuth2Client(
            created["client_id"],
            created["client_secret"],
            token_endpoint_auth_method=method,
            base_url=server.url,
        ) as oauth:
            token = oauth.fetch_token(server.url + TOKEN_URL, grant_type="client_credentials")
            assert token["token_type"] == "bearer"
            assert token["scope"] == "students:read"
            response = oauth.get(f"{API}/organizations/{world.org_a['id']}/students")
            assert response.status_code == 200, response.text

    async def test_the_async_client_too(self, server: LiveServer, world: World) -> None:
        created = create(world, ("students:read", "campaigns:read"))
        async with AsyncOAuth2Client(
            created["client_id"], created["client_secret"], scope="campaigns:read", base_url=server.url
        ) as oauth:
            token = await oauth.fetch_token(server.url + TOKEN_URL, grant_type="client_credentials")
            assert token["scope"] == "campaigns:read"
            response = await oauth.get(f"{API}/organizations/{world.org_a['id']}/campaigns")
            assert response.status_code == 200, response.text


class TestRotationAndRevocation:
    def test_the_previous_secret_works_24_hours_after_a_rotation(
        self, clean_database: str, live_server: LiveServer
    ) -> None:
        clock = FakeClock(datetime.now(UTC))
        server = LiveServer(test_settings(clean_database), clock=clock).start()
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                world = build_world(Service(http, server))
                created = create(world)
                rotated = ok(
                    http.post(
                        f"{clients_url(world)}/{created['id']}/secret-rotations",
                        headers=bearer(world.admin_a),
                    ),
                    201,
                )
                new_secret = rotated["client_secret"]
                assert new_secret != created["client_secret"]
                clock.advance(hours=23, minutes=59)
                ok(token_of(http, created))
                ok(token_of(http, created, secret=new_secret))
                clock.advance(minutes=2)
                problem(token_of(http, created), 401, "INVALID_CLIENT")
                ok(token_of(http, created, secret=new_secret))
                # A second rotation drops the first secret at once and keeps the second for 24 hours.
                again = ok(
                    http.post(
                        f"{clients_url(world)}/{created['id']}/secret-rotations",
                        headers=bearer(world.admin_a),
                    ),
                    201,
                )
                ok(token_of(http, created, secret=new_secret))
                ok(token_of(http, created, secret=again["client_secret"]))
        finally:
            server.stop()

    def test_revocation_takes_effect_at_once(self, client: httpx.Client, world: World) -> None:
        created = create(world)
        token = ok(token_of(client, created))["access_token"]
        ok(students_of(client, world, token))
        ok(client.delete(f"{clients_url(world)}/{created['id']}", headers=bearer(world.admin_a)), 204)
        problem(students_of(client, world, token), 401, "UNAUTHENTICATED")
        problem(token_of(client, created), 401, "INVALID_CLIENT")
        again = client.delete(f"{clients_url(world)}/{created['id']}", headers=bearer(world.admin_a))
        problem(again, 404, "API_CLIENT_NOT_FOUND")
        rotate = client.post(
            f"{clients_url(world)}/{created['id']}/secret-rotations", headers=bearer(world.admin_a)
        )
        problem(rotate, 404, "API_CLIENT_NOT_FOUND")
        listed = listing(client, world)
        assert created["id"] not in [item["id"] for item in listed]

    def test_support_lists_and_revokes_any_client(self, client: httpx.Client, world: World) -> None:
        support = world.tokens["support"]
        created = create(world, name="ENT à révoquer")
        token = ok(token_of(client, created))["access_token"]
        of_a = ok(
            client.get(
                f"{API}/admin/api-clients",
                params={"organization_id": world.org_a["id"]},
                headers=bearer(support),
            )
        )
        assert {item["organization_id"] for item in of_a["items"]} == {world.org_a["id"]}
        assert created["id"] in [item["id"] for item in of_a["items"]]
        every = ok(client.get(f"{API}/admin/api-clients", headers=bearer(support)))
        assert {item["organization_id"] for item in every["items"]} == {world.org_a["id"], world.org_b["id"]}
        assert created["client_secret"] not in str(every)
        ok(client.delete(f"{API}/admin/api-clients/{created['id']}", headers=bearer(support)), 204)
        problem(students_of(client, world, token), 401, "UNAUTHENTICATED")
        revoked = ok(
            client.get(
                f"{API}/admin/api-clients",
                params={"organization_id": world.org_a["id"]},
                headers=bearer(support),
            )
        )
        shown = next(item for item in revoked["items"] if item["id"] == created["id"])
        assert shown["revoked_at"] is not None
        problem(
            client.delete(f"{API}/admin/api-clients/{created['id']}", headers=bearer(support)),
            404,
            "API_CLIENT_NOT_FOUND",
        )
        problem(
            client.delete(f"{API}/admin/api-clients/999999", headers=bearer(support)),
            404,
            "API_CLIENT_NOT_FOUND",
        )

    def test_every_change_is_audited(self, client: httpx.Client, world: World) -> None:
        support = world.tokens["support"]
        created = create(world)
        ok(
            client.post(
                f"{clients_url(world)}/{created['id']}/secret-rotations", headers=bearer(world.admin_a)
            ),
            201,
        )
        ok(client.delete(f"{clients_url(world)}/{created['id']}", headers=bearer(world.admin_a)), 204)
        other = create(world, name="other")
        ok(client.delete(f"{API}/admin/api-clients/{other['id']}", headers=bearer(support)), 204)
        events = ok(
            client.get(
                f"{API}/admin/audit-events",
                params={"organization_id": world.org_a["id"]},
                headers=bearer(support),
            )
        )
        ours = [
            (e["type"], e["target_id"], e["actor"]["label"])
            for e in events["items"]
            if e["target_type"] == "api_client" and e["target_id"] in (created["id"], other["id"])
        ]
        assert ours == [
            ("API_CLIENT_REVOKED", other["id"], "support"),
            ("API_CLIENT_CREATED", other["id"], "user"),
            ("API_CLIENT_REVOKED", created["id"], "user"),
            ("API_CLIENT_SECRET_ROTATED", created["id"], "user"),
            ("API_CLIENT_CREATED", created["id"], "user"),
        ]
        assert created["client_secret"] not in str(events)


class TestRosterPush:
    def test_an_import_pushed_by_a_client_shows_the_client(self, client: httpx.Client, world: World) -> None:
        created = create(world, ("students:import", "students:read"), "ENT Occitanie")
        token = ok(token_of(client, created))["access_token"]
        pushed = client.post(
            f"{API}/organizations/{world.org_a['id']}/student-imports",
            files={"file": (FIRST_EXPORT, first_export().xml, "application/xml")},
            headers=bearer(token),
        )
        assert pushed.status_code == 201, pushed.text
        history = ok(
            client.get(f"{API}/organizations/{world.org_a['id']}/student-imports", headers=bearer(token))
        )
        newest = history["items"][0]
        assert newest["id"] == pushed.json()["id"]
        assert newest["created_by"]["api_client"] == "ENT Occitanie"
        assert newest["created_by"]["api_client_id"] == created["id"]
        assert history["items"][-1]["created_by"]["label"] == "user"  # the world's own import
        events = ok(
            client.get(
                f"{API}/admin/audit-events",
                params={"organization_id": world.org_a["id"], "type": "STUDENTS_IMPORTED"},
                headers=bearer(world.tokens["support"]),
            )
        )
        actor = events["items"][0]["actor"]
        assert actor == {"user_id": None, "label": "api_client", "api_client_id": created["id"]}


class TestRateLimits:
    def test_requests_are_limited_per_client(self, make_server: Any) -> None:
        server = make_server(api_client_requests_per_client="3/minute")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            world = build_world(Service(http, server))
            first = world.service.api_client(world.org_a["id"], world.admin_a, ("students:read",), "first")
            second = world.service.api_client(world.org_a["id"], world.admin_a, ("students:read",), "second")
            token = ok(token_of(http, first))["access_token"]
            for _ in range(3):
                ok(students_of(http, world, token))
            limited = students_of(http, world, token)
            problem(limited, 429, "TOO_MANY_REQUESTS")
            assert int(limited.headers["retry-after"]) >= 1
            # Another client of the same organization has its own counter.
            ok(students_of(http, world, ok(token_of(http, second))["access_token"]))

    def test_failed_client_authentications_are_limited_per_address(self, make_server: Any) -> None:
        server = make_server(api_client_token_failures_per_address="2/15minutes")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            world = build_world(Service(http, server))
            created = world.service.api_client(world.org_a["id"], world.admin_a, ("students:read",))
            for _ in range(2):
                problem(token_of(http, created, secret="pxs_wrong"), 401, "INVALID_CLIENT")
            problem(token_of(http, created), 429, "TOO_MANY_REQUESTS")

    def test_tokens_are_limited_per_client(self, make_server: Any) -> None:
        server = make_server(api_client_tokens_per_client="2/minute")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            world = build_world(Service(http, server))
            created = world.service.api_client(world.org_a["id"], world.admin_a, ("students:read",))
            ok(token_of(http, created))
            ok(token_of(http, created))
            problem(token_of(http, created), 429, "TOO_MANY_REQUESTS")


def test_basic_credentials_are_form_urlencoded_first(client: httpx.Client, world: World) -> None:
    """RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encodes them."""
    created = create(world)
    raw = f"{created['client_id']}:{created['client_secret']}".replace("_", "%5F").encode()
    header = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    ok(client.post(TOKEN_URL, data=credentials(), headers=header))


@pytest.mark.postgresql_only
def test_simultaneous_creations_never_pass_the_cap(
    server: LiveServer, client: httpx.Client, world: World
) -> None:
    """Eight clients exist (the world's and seven more); twelve creations at once: two succeed."""
    for n in range(7):
        create(world, name=f"ENT {n}")

    def try_create(n: int) -> tuple[int, str | None]:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            body = {"name": f"concurrent {n}", "scopes": ["students:read"]}
            response = http.post(clients_url(world), json=body, headers=bearer(world.admin_a))
            return response.status_code, response.json().get("code")

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        results = list(pool.map(try_create, range(12)))
    assert sorted(results, key=str) == sorted(
        [(201, None)] * 2 + [(409, "TOO_MANY_API_CLIENTS")] * 10, key=str
    )
    assert len(listing(client, world)) == 10
