"""Sign-up, login, tokens and password change, over HTTP against the real app and database."""

from __future__ import annotations

import concurrent.futures

import bcrypt
import pytest

from tests.support.api import API, PASSWORD, bearer, db_execute, log_in, problem, sign_up, signed_up_token


class TestSignUp:
    def test_creates_an_account_with_a_lower_cased_email(self, client):
        user = sign_up(client, "Ada.Lovelace@Example.FR", first_name="Ada", last_name="Lovelace")
        assert user["email"] == "ada.lovelace@example.fr"
        assert user["username"] is None
        assert user["must_change_password"] is False
        assert user["pix_orga_terms_accepted"] is False
        assert "password_hash" not in user
        assert PASSWORD not in str(user)

    def test_email_already_used_whatever_its_case(self, client):
        sign_up(client, "ada@example.fr")
        body = {
            "first_name": "A",
            "last_name": "B",
            "email": "ADA@example.fr",
            "password": PASSWORD,
            "accept_terms": True,
        }
        problem(client.post(f"{API}/users", json=body), 409, "EMAIL_ALREADY_USED")

    @pytest.mark.parametrize(
        "password", ["short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "A1" + "a" * 254]
    )
    def test_password_policy(self, client, password):
        body = {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.fr",
            "password": password,
            "accept_terms": True,
        }
        response = client.post(f"{API}/users", json=body)
        assert problem(response, 422, "INVALID_PASSWORD")["detail"].startswith(
            "Votre mot de passe doit contenir 8 caractères au minimum"
        )

    def test_terms_must_be_accepted(self, client):
        body = {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.fr",
            "password": PASSWORD,
            "accept_terms": False,
        }
        problem(client.post(f"{API}/users", json=body), 422, "TERMS_NOT_ACCEPTED")

    def test_invalid_email(self, client):
        body = {
            "first_name": "A",
            "last_name": "B",
            "email": "not an address",
            "password": PASSWORD,
            "accept_terms": True,
        }
        problem(client.post(f"{API}/users", json=body), 422, "INVALID_EMAIL")

    def test_missing_fields_and_wrong_types_one_entry_per_field(self, client):
        response = client.post(f"{API}/users", json={"first_name": 12, "accept_terms": "yes"})
        body = problem(response, 422, "VALIDATION_ERROR")
        fields = {item["field"] for item in body["errors"]}
        assert fields == {"first_name", "last_name", "email", "password", "accept_terms"}
        assert all(item["detail"] for item in body["errors"])

    def test_sign_ups_are_limited_per_address(self, make_server):
        import httpx

        srv = make_server()  # the default: 20 an hour
        body = {"first_name": "Bot", "last_name": "Bot", "password": PASSWORD, "accept_terms": True}
        with httpx.Client(base_url=srv.url) as http:
            for n in range(19):
                sign_up(http, f"staff{n}@example.fr")
            # Refused input costs nothing and is not counted; an address already used cost a hash.
            weak = http.post(f"{API}/users", json={**body, "email": "weak@example.fr", "password": "court"})
            problem(weak, 422, "INVALID_PASSWORD")
            problem(
                http.post(f"{API}/users", json={**body, "email": "staff0@example.fr"}),
                409,
                "EMAIL_ALREADY_USED",
            )
            blocked = http.post(f"{API}/users", json={**body, "email": "bot21@example.fr"})
            problem(blocked, 429, "TOO_MANY_REQUESTS")
            assert 0 < int(blocked.headers["Retry-After"]) <= 3600
            # Logging in is not affected.
            log_in(http, "staff0@example.fr")
        assert db_execute(srv.settings.database_url, "SELECT count(*) FROM users")[0][0] == 19

    def test_an_ipv6_client_signs_up_under_the_limit_of_its_64(self, make_server):
        import httpx

        srv = make_server(trusted_proxies=["127.0.0.1"], signups_per_address="2/hour")
        body = {"first_name": "Bot", "last_name": "Bot", "password": PASSWORD, "accept_terms": True}

        def from_(address: str, email: str) -> httpx.Response:
            return http.post(
                f"{API}/users", json={**body, "email": email}, headers={"X-Forwarded-For": address}
            )

        with httpx.Client(base_url=srv.url) as http:
            assert from_("2001:db8:7:8::1", "a@example.fr").status_code == 201
            assert from_("2001:db8:7:8::2", "b@example.fr").status_code == 201
            problem(from_("2001:db8:7:8:abcd::3", "c@example.fr"), 429, "TOO_MANY_REQUESTS")
            assert from_("2001:db8:7:9::1", "c@example.fr").status_code == 201

    def test_english_details(self, client):
        response = client.post(f"{API}/users", json={}, headers={"Accept-Language": "en-GB,en;q=0.9"})
        body = problem(response, 422, "VALIDATION_ERROR")
        assert body["detail"] == "Some fields are missing or invalid."
        assert response.headers["content-language"] == "en"

    def test_malformed_json(self, client):
        response = client.post(
            f"{API}/users", content=b'{"first_name": ', headers={"Content-Type": "application/json"}
        )
        problem(response, 400, "MALFORMED_JSON")

    def test_body_not_an_object(self, client):
        problem(client.post(f"{API}/users", json=[1, 2]), 422, "VALIDATION_ERROR")

    def test_body_over_the_cap(self, client):
        body = {
            "first_name": "x" * 1_100_000,
            "last_name": "B",
            "email": "a@example.fr",
            "password": PASSWORD,
            "accept_terms": True,
        }
        problem(client.post(f"{API}/users", json=body), 413, "REQUEST_TOO_LARGE")

    def test_a_long_string_under_the_cap_is_a_validation_error(self, client, server):
        body = {
            "first_name": "x" * 900_000,
            "last_name": "B",
            "email": "a@example.fr",
            "password": PASSWORD,
            "accept_terms": True,
        }
        body = problem(client.post(f"{API}/users", json=body), 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "first_name"
        assert db_execute(server.settings.database_url, "SELECT count(*) FROM users") == [(0,)]

    def test_unknown_fields_are_ignored(self, client):
        user = sign_up(client, "ada@example.fr", is_support=True, role="ADMIN", favourite_colour="blue")
        me = client.get(f"{API}/users/me", headers=bearer(log_in(client, user["email"])["access_token"]))
        assert me.json()["is_support"] is False


class TestLogin:
    def test_by_email_case_insensitive(self, client):
        sign_up(client, "ada@example.fr")
        tokens = log_in(client, "  ADA@Example.fr ")
        assert tokens["token_type"] == "bearer"
        assert tokens["expires_in"] == 15 * 60
        assert tokens["must_change_password"] is False
        me = client.get(f"{API}/users/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 200
        assert me.json()["email"] == "ada@example.fr"
        assert me.json()["memberships"] == []

    def test_by_username_case_insensitive(self, client, server):
        sign_up(client, "student@example.fr")
        db_execute(
            server.settings.database_url, "UPDATE users SET username = 'alan.turing2306', email = NULL"
        )
        tokens = log_in(client, "Alan.Turing2306")
        me = client.get(f"{API}/users/me", headers=bearer(tokens["access_token"])).json()
        assert me["username"] == "alan.turing2306"

    def test_wrong_password_and_unknown_login_look_the_same(self, client):
        sign_up(client, "ada@example.fr")
        wrong = client.post(f"{API}/auth/token", data={"username": "ada@example.fr", "password": "Wrong1234"})
        unknown = client.post(
            f"{API}/auth/token", data={"username": "nobody@example.fr", "password": "Wrong1234"}
        )
        assert (
            problem(wrong, 401, "INVALID_CREDENTIALS")["detail"]
            == problem(unknown, 401, "INVALID_CREDENTIALS")["detail"]
        )

    def test_pix_orga_scope_requires_a_membership(self, client):
        sign_up(client, "ada@example.fr")
        response = client.post(
            f"{API}/auth/token",
            data={"username": "ada@example.fr", "password": PASSWORD, "scope": "pix-orga"},
        )
        body = problem(response, 403, "PIX_ORGA_ACCESS_REQUIRES_MEMBERSHIP")
        assert body["detail"] == (
            "L'accès à Pix Orga est limité aux membres invités. Chaque espace est géré par un administrateur "
            "Pix Orga propre à l'organisation qui l'utilise. Contactez-le pour qu'il vous y invite."
        )
        log_in(client, "ada@example.fr")  # without the scope, the same account logs in

    def test_bcrypt_hash_verified_then_upgraded_to_argon2(self, client, server):
        sign_up(client, "legacy@example.fr")
        legacy = bcrypt.hashpw(b"Legacy2020", bcrypt.gensalt(rounds=4)).decode()
        db_execute(server.settings.database_url, "UPDATE users SET password_hash = :h", h=legacy)
        log_in(client, "legacy@example.fr", "Legacy2020")
        (stored,) = db_execute(server.settings.database_url, "SELECT password_hash FROM users")[0]
        assert stored.startswith("$argon2id$")
        log_in(client, "legacy@example.fr", "Legacy2020")

    def test_unsupported_grant_type(self, client):
        # client_credentials is the API clients' grant (test_api_clients.py); this one is not served.
        response = client.post(f"{API}/auth/token", data={"grant_type": "authorization_code", "code": "x"})
        problem(response, 422, "VALIDATION_ERROR")

    def test_failed_logins_are_limited_per_login_and_address(self, make_server):
        import httpx

        srv = make_server(login_failures_per_login_and_address="3/15minutes")
        with httpx.Client(base_url=srv.url) as http:
            sign_up(http, "ada@example.fr")
            for _ in range(3):
                bad = http.post(
                    f"{API}/auth/token", data={"username": "ada@example.fr", "password": "Wrong1234"}
                )
                problem(bad, 401, "INVALID_CREDENTIALS")
            blocked = http.post(
                f"{API}/auth/token", data={"username": "ada@example.fr", "password": PASSWORD}
            )
            problem(blocked, 429, "TOO_MANY_REQUESTS")
            assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
            # another login from the same address is not blocked by this limit
            sign_up(http, "bob@example.fr")
            log_in(http, "bob@example.fr")

    def test_a_burst_of_logins_checks_no_more_passwords_than_the_limit(self, make_server):
        import asyncio

        import httpx

        srv = make_server()  # 10 failures per login and address in 15 minutes
        with httpx.Client(base_url=srv.url) as http:
            sign_up(http, "ada@example.fr")

        async def burst() -> list[int]:
            async with httpx.AsyncClient(base_url=srv.url, timeout=60) as http:
                passwords = [f"Wrong{n:04d}" for n in range(59)] + [PASSWORD]  # the right one last
                answers = await asyncio.gather(
                    *(
                        http.post(f"{API}/auth/token", data={"username": "ada@example.fr", "password": p})
                        for p in passwords
                    )
                )
                return [answer.status_code for answer in answers]

        statuses = asyncio.run(burst())
        assert statuses[:59].count(401) == 10, statuses
        assert set(statuses[:59]) == {401, 429}
        # Sent last, the right password is refused unless it came before the tenth failure.
        assert statuses[59] in (200, 429)
        with httpx.Client(base_url=srv.url) as http:
            problem(
                http.post(f"{API}/auth/token", data={"username": "ada@example.fr", "password": PASSWORD}),
                429,
                "TOO_MANY_REQUESTS",
            )

    def test_failed_logins_are_limited_per_address(self, make_server):
        import httpx

        srv = make_server(login_failures_per_address="4/15minutes")
        with httpx.Client(base_url=srv.url) as http:
            for n in range(4):
                http.post(
                    f"{API}/auth/token", data={"username": f"nobody{n}@example.fr", "password": "Wrong1234"}
                )
            sign_up(http, "ada@example.fr")
            problem(
                http.post(f"{API}/auth/token", data={"username": "ada@example.fr", "password": PASSWORD}),
                429,
                "TOO_MANY_REQUESTS",
            )


class TestTokens:
    def test_no_token_tampered_token_and_garbage(self, client):
        problem(client.get(f"{API}/users/me"), 401, "UNAUTHENTICATED")
        _, token = signed_up_token(client)
        head, payload, signature = token.split(".")
        tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
        problem(client.get(f"{API}/users/me", headers=bearer(tampered)), 401, "UNAUTHENTICATED")
        problem(client.get(f"{API}/users/me", headers=bearer("garbage")), 401, "UNAUTHENTICATED")
        assert client.get(f"{API}/users/me").headers["www-authenticate"] == "Bearer"

    def test_refresh_rotates_and_reuse_revokes_the_family(self, client):
        sign_up(client, "ada@example.fr")
        first = log_in(client, "ada@example.fr")
        second = client.post(
            f"{API}/auth/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
        )
        assert second.status_code == 200, second.text
        second = second.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert client.get(f"{API}/users/me", headers=bearer(second["access_token"])).status_code == 200
        # the first refresh token was used: presenting it again is a theft signal
        reuse = client.post(
            f"{API}/auth/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
        )
        problem(reuse, 401, "UNAUTHENTICATED")
        # the whole family is revoked: the newer refresh token and its access token stop working
        later = client.post(
            f"{API}/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": second["refresh_token"]},
        )
        problem(later, 401, "UNAUTHENTICATED")
        problem(client.get(f"{API}/users/me", headers=bearer(second["access_token"])), 401, "UNAUTHENTICATED")

    def test_refresh_with_an_unknown_token(self, client):
        response = client.post(
            f"{API}/auth/token", data={"grant_type": "refresh_token", "refresh_token": "nope"}
        )
        problem(response, 401, "UNAUTHENTICATED")

    def test_concurrent_refreshes_only_one_wins(self, client, server):
        sign_up(client, "ada@example.fr")
        tokens = log_in(client, "ada@example.fr")

        def refresh(_):
            import httpx

            with httpx.Client(base_url=server.url) as http:
                return http.post(
                    f"{API}/auth/token",
                    data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                ).status_code

        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            statuses = sorted(pool.map(refresh, range(5)))
        assert statuses.count(200) <= 1
        assert set(statuses) <= {200, 401}

    def test_revoke_logs_out_the_session(self, client):
        sign_up(client, "ada@example.fr")
        tokens = log_in(client, "ada@example.fr")
        other = log_in(client, "ada@example.fr")
        assert client.post(f"{API}/auth/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
        problem(client.get(f"{API}/users/me", headers=bearer(tokens["access_token"])), 401, "UNAUTHENTICATED")
        refresh = client.post(
            f"{API}/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        problem(refresh, 401, "UNAUTHENTICATED")
        # another session of the same account is untouched
        assert client.get(f"{API}/users/me", headers=bearer(other["access_token"])).status_code == 200

    def test_revoke_an_unknown_token_answers_200(self, client):
        assert client.post(f"{API}/auth/revoke", data={"token": "unknown"}).status_code == 200


class TestPasswordChange:
    def test_change_revokes_the_other_sessions(self, client):
        sign_up(client, "ada@example.fr")
        mine = log_in(client, "ada@example.fr")
        other = log_in(client, "ada@example.fr")
        response = client.put(
            f"{API}/users/me/password",
            json={"current_password": PASSWORD, "new_password": "NouveauMotDePasse2"},
            headers=bearer(mine["access_token"]),
        )
        assert response.status_code == 204, response.text
        assert client.get(f"{API}/users/me", headers=bearer(mine["access_token"])).status_code == 200
        problem(client.get(f"{API}/users/me", headers=bearer(other["access_token"])), 401, "UNAUTHENTICATED")
        log_in(client, "ada@example.fr", "NouveauMotDePasse2")
        problem(
            client.post(f"{API}/auth/token", data={"username": "ada@example.fr", "password": PASSWORD}),
            401,
            "INVALID_CREDENTIALS",
        )

    def test_wrong_current_password_and_weak_new_one(self, client):
        _, token = signed_up_token(client)
        wrong = client.put(
            f"{API}/users/me/password",
            headers=bearer(token),
            json={"current_password": "Nope12345", "new_password": "NouveauMotDePasse2"},
        )
        problem(wrong, 422, "WRONG_CURRENT_PASSWORD")
        weak = client.put(
            f"{API}/users/me/password",
            headers=bearer(token),
            json={"current_password": PASSWORD, "new_password": "weak"},
        )
        problem(weak, 422, "INVALID_PASSWORD")

    def test_must_change_password_accounts_are_confined(self, client, server):
        user = sign_up(client, "ada@example.fr")
        db_execute(server.settings.database_url, "UPDATE users SET must_change_password = :t", t=True)
        tokens = log_in(client, "ada@example.fr")
        assert tokens["must_change_password"] is True
        headers = bearer(tokens["access_token"])
        assert client.get(f"{API}/users/me", headers=headers).json()["must_change_password"] is True
        problem(
            client.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=headers),
            403,
            "PASSWORD_CHANGE_REQUIRED",
        )
        refreshed = client.post(
            f"{API}/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert refreshed.status_code == 200
        headers = bearer(refreshed.json()["access_token"])
        response = client.put(
            f"{API}/users/me/password",
            headers=headers,
            json={"current_password": PASSWORD, "new_password": "NouveauMotDePasse2"},
        )
        assert response.status_code == 204
        assert client.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=headers).status_code == 204
        me = client.get(f"{API}/users/me", headers=headers).json()
        assert me["must_change_password"] is False
        assert me["pix_orga_terms_accepted"] is True
        assert me["id"] == user["id"]


def test_pix_orga_terms_acceptance_is_idempotent(client):
    _, token = signed_up_token(client)
    for _ in range(2):
        assert (
            client.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(token)).status_code == 204
        )
    assert client.get(f"{API}/users/me", headers=bearer(token)).json()["pix_orga_terms_accepted"] is True


def test_revoke_answers_200_whatever_the_token(client):
    """Answers "200 always": missing, empty, overlong or unknown tokens included."""
    for form in ({}, {"token": ""}, {"token": "x" * 5000}, {"token": "unknown"}):
        response = client.post(f"{API}/auth/revoke", data=form)
        assert response.status_code == 200, (form, response.text)
