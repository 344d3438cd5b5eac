"""Steps 1 to 3 over HTTP: organizations, invitations, memberships, and their errors."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.api import (
    API,
    admin_of_new_organization,
    bearer,
    create_organization,
    db_execute,
    log_in,
    problem,
    queued_invitation_code,
    signed_up_token,
    support_token,
)
from tests.support.campaigns import member_token


def invite(client, org_id, token, emails, **extra):
    return client.post(
        f"{API}/organizations/{org_id}/invitations", json={"emails": emails, **extra}, headers=bearer(token)
    )


def accept(client, invitation_id, code, token):
    return client.post(
        f"{API}/organization-invitations/{invitation_id}/accept", json={"code": code}, headers=bearer(token)
    )


class TestSupportOrganizations:
    def test_create_search_archive(self, client, server):
        support = support_token(client, server.settings.database_url)
        org = create_organization(client, support, uai="0751234a")
        assert org["uai"] == "0751234A"
        assert org["archived_at"] is None
        found = client.get(
            f"{API}/admin/organizations", params={"uai": "0751234a"}, headers=bearer(support)
        ).json()
        assert [o["id"] for o in found["items"]] == [org["id"]]
        by_name = client.get(
            f"{API}/admin/organizations", params={"name": "pix"}, headers=bearer(support)
        ).json()
        assert by_name["total"] == 1
        problem(
            client.post(
                f"{API}/admin/organizations",
                headers=bearer(support),
                json={"name": "Autre", "type": "SCO", "uai": "0751234A"},
            ),
            409,
            "UAI_ALREADY_USED",
        )
        archived = client.post(f"{API}/admin/organizations/{org['id']}/archive", headers=bearer(support))
        assert archived.status_code == 200
        assert archived.json()["archived_at"] is not None

    @pytest.mark.parametrize("uai", ["075123A", "07512345A", "ABCDEFGH", None])
    def test_sco_needs_a_valid_uai(self, client, server, uai):
        support = support_token(client, server.settings.database_url)
        body = {"name": "X", "type": "SCO", "uai": uai}
        problem(
            client.post(f"{API}/admin/organizations", json=body, headers=bearer(support)),
            422,
            "VALIDATION_ERROR",
        )

    def test_only_support(self, client):
        _, token = signed_up_token(client)
        problem(
            client.post(
                f"{API}/admin/organizations", json={"name": "X", "type": "PRO"}, headers=bearer(token)
            ),
            403,
            "FORBIDDEN",
        )
        problem(client.get(f"{API}/admin/audit-events", headers=bearer(token)), 403, "FORBIDDEN")
        problem(client.get(f"{API}/admin/organizations"), 401, "UNAUTHENTICATED")

    def test_activation_invitation_errors(self, client, server):
        support = support_token(client, server.settings.database_url)
        no_email = create_organization(client, support, uai="0750000B", email=None)
        problem(
            client.post(
                f"{API}/admin/organizations/{no_email['id']}/invitations", json={}, headers=bearer(support)
            ),
            412,
            "ORGANIZATION_WITHOUT_EMAIL",
        )
        problem(
            client.post(f"{API}/admin/organizations/999999/invitations", json={}, headers=bearer(support)),
            404,
            "ORGANIZATION_NOT_FOUND",
        )
        org = create_organization(client, support)
        client.post(f"{API}/admin/organizations/{org['id']}/archive", headers=bearer(support))
        problem(
            client.post(
                f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
            ),
            409,
            "ORGANIZATION_ARCHIVED",
        )


class TestInvitations:
    def test_activation_link_makes_an_administrator(self, client, server):
        org, token = admin_of_new_organization(client, server.settings.database_url)
        me = client.get(f"{API}/users/me", headers=bearer(token)).json()
        assert [(m["organization"]["id"], m["role"]) for m in me["memberships"]] == [(org["id"], "ADMIN")]
        assert me["pix_orga_terms_accepted"] is True
        assert (
            client.get(f"{API}/organizations/{org['id']}", headers=bearer(token)).json()["name"]
            == "Lycée Pix"
        )
        # with a membership, the Pix Orga scope is granted
        assert log_in(client, "chef@ac-paris.fr", scope="pix-orga")["access_token"]

    def test_addresses_pasted_from_a_mail_client(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        response = invite(
            client,
            org["id"],
            admin,
            "Référent <referent@ac-paris.fr>; prof@gmail.com,\n prof@GMAIL.com pas-une-adresse "
            "zero\u200bwidth@example.fr",
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert sorted(i["email"] for i in body["invitations"]) == [
            "prof@gmail.com",
            "referent@ac-paris.fr",
            "zerowidth@example.fr",
        ]
        assert body["rejected"] == [{"email": "pas-une-adresse", "code": "INVALID_EMAIL"}]
        assert all(
            i["role"] == "MEMBER" and i["status"] == "PENDING" and i["delivery_status"] == "QUEUED"
            for i in body["invitations"]
        )
        problem(invite(client, org["id"], admin, "nope, also nope"), 422, "NO_VALID_EMAIL")

    def test_reinviting_rotates_the_same_invitation(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        first = invite(client, org["id"], admin, "prof@gmail.com").json()["invitations"][0]
        old_id, old_code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        second = invite(client, org["id"], admin, ["prof@gmail.com"], role="ADMIN").json()["invitations"][0]
        assert second["id"] == first["id"] == old_id
        assert second["role"] == "ADMIN"
        new_id, new_code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        assert new_code != old_code
        problem(
            client.get(f"{API}/organization-invitations/{old_id}", params={"code": old_code}),
            410,
            "INVITATION_CODE_REPLACED",
        )
        landing = client.get(f"{API}/organization-invitations/{new_id}", params={"code": new_code}).json()
        assert landing == {
            "id": new_id,
            "organization_name": "Lycée Pix",
            "status": "PENDING",
            "role": "ADMIN",
        }
        listed = client.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(admin)).json()
        assert listed["total"] == 1

    def test_landing_page_errors(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        invite(client, org["id"], admin, "prof@gmail.com")
        invitation_id, code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        problem(
            client.get(f"{API}/organization-invitations/{invitation_id}", params={"code": "wrong"}),
            404,
            "INVITATION_NOT_FOUND",
        )
        problem(
            client.get(f"{API}/organization-invitations/999999", params={"code": code}),
            404,
            "INVITATION_NOT_FOUND",
        )

    def test_single_use_and_idempotent_for_its_user(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        invite(client, org["id"], admin, "prof@gmail.com")
        invitation_id, code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        _, prof = signed_up_token(client, "prof.academique@ac-paris.fr")
        first = accept(client, invitation_id, code, prof)
        assert first.status_code == 201
        again = accept(client, invitation_id, code, prof)
        assert again.status_code == 200
        assert again.json() == first.json()
        _, other = signed_up_token(client, "autre@example.fr")
        problem(accept(client, invitation_id, code, other), 409, "INVITATION_ALREADY_ACCEPTED")
        accepted = client.get(
            f"{API}/organizations/{org['id']}/invitations",
            params={"status": "ACCEPTED"},
            headers=bearer(admin),
        ).json()
        assert [i["id"] for i in accepted["items"]] == [invitation_id, 1]  # and the activation one

    def test_cancel_expire_and_resend(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        invitation = invite(client, org["id"], admin, "prof@gmail.com").json()["invitations"][0]
        invitation_id, code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        problem(
            client.post(
                f"{API}/organizations/{org['id']}/invitations/{invitation['id']}/resend",
                headers=bearer(admin),
            ),
            429,
            "TOO_MANY_REQUESTS",
        )
        db_execute(
            server.settings.database_url,
            "UPDATE invitations SET last_sent_at = :t WHERE id = :i",
            t=datetime.now(UTC) - timedelta(minutes=2),
            i=invitation_id,
        )
        resent = client.post(
            f"{API}/organizations/{org['id']}/invitations/{invitation['id']}/resend", headers=bearer(admin)
        )
        assert resent.status_code == 200, resent.text
        _, new_code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        problem(accept(client, invitation_id, code, admin), 410, "INVITATION_CODE_REPLACED")
        assert (
            client.delete(
                f"{API}/organizations/{org['id']}/invitations/{invitation_id}", headers=bearer(admin)
            ).status_code
            == 204
        )
        problem(
            client.delete(
                f"{API}/organizations/{org['id']}/invitations/{invitation_id}", headers=bearer(admin)
            ),
            409,
            "INVITATION_NOT_CANCELLABLE",
        )
        problem(
            client.post(
                f"{API}/organizations/{org['id']}/invitations/{invitation_id}/resend", headers=bearer(admin)
            ),
            409,
            "INVITATION_NOT_PENDING",
        )
        _, prof = signed_up_token(client, "prof@gmail.com")
        problem(accept(client, invitation_id, new_code, prof), 409, "INVITATION_CANCELLED")
        # a cancelled invitation never blocks a new one
        fresh = invite(client, org["id"], admin, "prof@gmail.com").json()["invitations"][0]
        assert fresh["id"] != invitation_id
        fresh_id, fresh_code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        db_execute(
            server.settings.database_url,
            "UPDATE invitations SET expires_at = :t WHERE id = :i",
            t=datetime.now(UTC) - timedelta(seconds=1),
            i=fresh_id,
        )
        problem(accept(client, fresh_id, fresh_code, prof), 410, "INVITATION_EXPIRED")
        expired = client.get(
            f"{API}/organizations/{org['id']}/invitations",
            params={"status": "EXPIRED"},
            headers=bearer(admin),
        ).json()
        assert [i["status"] for i in expired["items"]] == ["EXPIRED"]
        assert (
            client.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(admin)).json()["total"]
            == 0
        )
        problem(
            client.delete(f"{API}/organizations/{org['id']}/invitations/999999", headers=bearer(admin)),
            404,
            "INVITATION_NOT_FOUND",
        )

    def test_an_active_member_keeps_the_link_usable(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        prof = member_token(client, server.settings.database_url, org["id"], admin, "prof@gmail.com")
        invite(client, org["id"], admin, "colleague@ac-paris.fr")
        invitation_id, code = queued_invitation_code(server.settings.database_url, "colleague@ac-paris.fr")
        checked = accept(client, invitation_id, code, prof)
        assert checked.status_code == 200
        assert checked.json()["membership"]["role"] == "MEMBER"
        landing = client.get(f"{API}/organization-invitations/{invitation_id}", params={"code": code}).json()
        assert landing["status"] == "PENDING"
        # an ADMIN invitation promotes the member and is used up
        invite(client, org["id"], admin, "boss@ac-paris.fr", role="ADMIN")
        admin_invitation, admin_code = queued_invitation_code(
            server.settings.database_url, "boss@ac-paris.fr"
        )
        promoted = accept(client, admin_invitation, admin_code, prof)
        assert promoted.status_code == 200
        assert promoted.json()["membership"]["role"] == "ADMIN"
        landing = client.get(
            f"{API}/organization-invitations/{admin_invitation}", params={"code": admin_code}
        )
        assert landing.json()["status"] == "ACCEPTED"

    def test_daily_limit(self, make_server):
        srv = make_server(invitations_per_day=3)
        with httpx.Client(base_url=srv.url) as http:
            org, admin = admin_of_new_organization(http, srv.settings.database_url)  # 1 e-mail sent
            body = invite(http, org["id"], admin, "a@example.fr, b@example.fr, c@example.fr").json()
            assert [i["email"] for i in body["invitations"]] == ["a@example.fr", "b@example.fr"]
            assert body["rejected"] == [{"email": "c@example.fr", "code": "RATE_LIMITED"}]

    def test_archived_organization_refuses_invitations(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        invite(client, org["id"], admin, "prof@gmail.com")
        support = log_in(client, server_support_email(server))["access_token"]
        client.post(f"{API}/admin/organizations/{org['id']}/archive", headers=bearer(support))
        problem(invite(client, org["id"], admin, "other@gmail.com"), 409, "ORGANIZATION_ARCHIVED")
        cancelled = client.get(
            f"{API}/organizations/{org['id']}/invitations",
            params={"status": "CANCELLED"},
            headers=bearer(admin),
        ).json()
        assert [i["email"] for i in cancelled["items"]] == ["prof@gmail.com"]


def server_support_email(server) -> str:
    (email,) = db_execute(
        server.settings.database_url, "SELECT email FROM users WHERE is_support ORDER BY id"
    )[0]
    return email


class TestAccessRules:
    def test_member_cannot_administer_and_outsiders_see_404(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        prof = member_token(client, server.settings.database_url, org["id"], admin, "prof@gmail.com")
        problem(invite(client, org["id"], prof, "x@example.fr"), 403, "FORBIDDEN")
        members = client.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(prof)).json()
        admin_membership = next(m for m in members["items"] if m["role"] == "ADMIN")
        problem(
            client.patch(
                f"{API}/organizations/{org['id']}/memberships/{admin_membership['id']}",
                json={"role": "MEMBER"},
                headers=bearer(prof),
            ),
            403,
            "FORBIDDEN",
        )
        invitation = invite(client, org["id"], admin, "x@example.fr").json()["invitations"][0]
        problem(
            client.delete(
                f"{API}/organizations/{org['id']}/invitations/{invitation['id']}", headers=bearer(prof)
            ),
            403,
            "FORBIDDEN",
        )
        problem(
            client.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(prof)), 403, "FORBIDDEN"
        )
        _, outsider = signed_up_token(client, "outsider@example.fr")
        for path in ("", "/memberships", "/invitations"):
            problem(
                client.get(f"{API}/organizations/{org['id']}{path}", headers=bearer(outsider)),
                404,
                "ORGANIZATION_NOT_FOUND",
            )
        problem(
            client.get(f"{API}/organizations/999999", headers=bearer(admin)), 404, "ORGANIZATION_NOT_FOUND"
        )

    def test_terms_are_checked_after_membership(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        invite(client, org["id"], admin, "prof@gmail.com")
        invitation_id, code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        _, prof = signed_up_token(client, "prof@gmail.com")
        accept(client, invitation_id, code, prof)
        problem(
            client.get(f"{API}/organizations/{org['id']}", headers=bearer(prof)),
            403,
            "PIX_ORGA_TERMS_NOT_ACCEPTED",
        )

    def test_a_removed_member_loses_access_at_once(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        prof = member_token(client, server.settings.database_url, org["id"], admin, "prof@gmail.com")
        members = client.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(admin)).json()
        prof_membership = next(m for m in members["items"] if m["user"]["email"] == "prof@gmail.com")
        assert (
            client.delete(
                f"{API}/organizations/{org['id']}/memberships/{prof_membership['id']}", headers=bearer(admin)
            ).status_code
            == 204
        )
        problem(
            client.get(f"{API}/organizations/{org['id']}", headers=bearer(prof)),
            404,
            "ORGANIZATION_NOT_FOUND",
        )
        assert client.get(f"{API}/users/me", headers=bearer(prof)).json()["memberships"] == []
        # re-inviting re-enables the same membership
        invite(client, org["id"], admin, "prof@gmail.com")
        invitation_id, code = queued_invitation_code(server.settings.database_url, "prof@gmail.com")
        again = accept(client, invitation_id, code, prof)
        assert again.status_code == 201
        assert again.json()["membership"]["id"] == prof_membership["id"]


class TestLastAdministrator:
    def test_own_role_last_admin_removal_and_leaving(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        members = client.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(admin)).json()
        mine = members["items"][0]
        problem(
            client.patch(
                f"{API}/organizations/{org['id']}/memberships/{mine['id']}",
                json={"role": "MEMBER"},
                headers=bearer(admin),
            ),
            403,
            "CANNOT_CHANGE_OWN_ROLE",
        )
        problem(
            client.delete(f"{API}/organizations/{org['id']}/memberships/{mine['id']}", headers=bearer(admin)),
            409,
            "LAST_ADMIN",
        )
        co_admin = member_token(client, server.settings.database_url, org["id"], admin, "co@ac-paris.fr")
        members = client.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(admin)).json()
        co = next(m for m in members["items"] if m["user"]["email"] == "co@ac-paris.fr")
        promoted = client.patch(
            f"{API}/organizations/{org['id']}/memberships/{co['id']}",
            json={"role": "ADMIN"},
            headers=bearer(admin),
        )
        assert promoted.status_code == 200
        assert promoted.json()["role"] == "ADMIN"
        # now the first administrator may leave
        assert (
            client.delete(
                f"{API}/organizations/{org['id']}/memberships/{mine['id']}", headers=bearer(admin)
            ).status_code
            == 204
        )
        problem(
            client.delete(
                f"{API}/organizations/{org['id']}/memberships/{co['id']}", headers=bearer(co_admin)
            ),
            409,
            "LAST_ADMIN",
        )
        problem(
            client.patch(
                f"{API}/organizations/{org['id']}/memberships/{mine['id']}",
                json={"role": "ADMIN"},
                headers=bearer(co_admin),
            ),
            404,
            "MEMBERSHIP_NOT_FOUND",
        )

    @pytest.mark.postgresql_only
    def test_two_administrators_demoting_each_other_leave_one(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        other = member_token(
            client, server.settings.database_url, org["id"], admin, "co@ac-paris.fr", role="ADMIN"
        )
        members = client.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(admin)).json()[
            "items"
        ]
        ids = {m["user"]["email"]: m["id"] for m in members}
        for _ in range(5):
            db_execute(server.settings.database_url, "UPDATE memberships SET role = 'ADMIN'")

            def demote(args):
                token, target = args
                with httpx.Client(base_url=server.url) as http:
                    return http.patch(
                        f"{API}/organizations/{org['id']}/memberships/{target}",
                        json={"role": "MEMBER"},
                        headers=bearer(token),
                    ).status_code

            pairs = [(admin, ids["co@ac-paris.fr"]), (other, ids["chef@ac-paris.fr"])]
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                statuses = sorted(pool.map(demote, pairs))
            admins = db_execute(
                server.settings.database_url,
                "SELECT count(*) FROM memberships WHERE role = 'ADMIN' AND disabled_at IS NULL",
            )
            assert admins == [(1,)], statuses
            assert statuses[0] == 200
            assert statuses[1] in (403, 409)


@pytest.mark.postgresql_only
def test_twenty_simultaneous_accepts_make_one_membership(make_server):
    # Twenty-one sign-ups from one address: more than SIGNUPS_PER_ADDRESS allows by default.
    server = make_server(signups_per_address="100/hour")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        invite(client, org["id"], admin, "shared@ac-paris.fr")
        invitation_id, code = queued_invitation_code(server.settings.database_url, "shared@ac-paris.fr")
        tokens = [signed_up_token(client, f"candidate{n}@example.fr")[1] for n in range(20)]

        def try_accept(token):
            with httpx.Client(base_url=server.url, timeout=60) as http:
                response = http.post(
                    f"{API}/organization-invitations/{invitation_id}/accept",
                    json={"code": code},
                    headers=bearer(token),
                )
                return response.status_code, response.json().get("code")

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(try_accept, tokens))
        assert sorted(results, key=str) == sorted(
            [(201, None)] + [(409, "INVITATION_ALREADY_ACCEPTED")] * 19, key=str
        )
        count = db_execute(
            server.settings.database_url,
            "SELECT count(*) FROM memberships WHERE organization_id = :o",
            o=org["id"],
        )
        assert count == [(2,)]  # the administrator and the one who won


class TestScoActivationRequest:
    def test_sent_to_the_official_mailbox_once_a_day(self, client, server):
        support = support_token(client, server.settings.database_url)
        create_organization(client, support)
        body = {"uai": "0751234a", "first_name": "Marie", "last_name": "Curie"}
        assert client.post(f"{API}/sco-activation-requests", json=body).status_code == 202
        first = queued_invitation_code(server.settings.database_url, "ce.0751234a@ac-paris.fr")
        assert client.post(f"{API}/sco-activation-requests", json=body).status_code == 202
        assert queued_invitation_code(server.settings.database_url, "ce.0751234a@ac-paris.fr") == first
        emails = db_execute(server.settings.database_url, "SELECT count(*) FROM outbox_emails")
        assert emails == [(1,)]
        db_execute(
            server.settings.database_url,
            "UPDATE invitations SET last_sent_at = :t",
            t=datetime.now(UTC) - timedelta(hours=25),
        )
        assert client.post(f"{API}/sco-activation-requests", json=body).status_code == 202
        assert queued_invitation_code(server.settings.database_url, "ce.0751234a@ac-paris.fr") != first

    def test_errors(self, client, server):
        support = support_token(client, server.settings.database_url)
        create_organization(client, support, uai="0750000B", email=None)
        archived = create_organization(client, support, uai="0750000C")
        client.post(f"{API}/admin/organizations/{archived['id']}/archive", headers=bearer(support))
        base = {"first_name": "Marie", "last_name": "Curie"}
        problem(
            client.post(f"{API}/sco-activation-requests", json={**base, "uai": "0759999Z"}),
            404,
            "ORGANIZATION_NOT_FOUND",
        )
        problem(
            client.post(f"{API}/sco-activation-requests", json={**base, "uai": "0750000B"}),
            412,
            "ORGANIZATION_WITHOUT_EMAIL",
        )
        problem(
            client.post(f"{API}/sco-activation-requests", json={**base, "uai": "0750000C"}),
            409,
            "ORGANIZATION_ARCHIVED",
        )


def test_audit_trail(client, server):
    org, admin = admin_of_new_organization(client, server.settings.database_url)
    invite(client, org["id"], admin, "prof@gmail.com")
    support = log_in(client, server_support_email(server))["access_token"]
    events = client.get(
        f"{API}/admin/audit-events", params={"organization_id": org["id"]}, headers=bearer(support)
    ).json()
    types = [e["type"] for e in events["items"]]
    assert types == [
        "INVITATION_CREATED",
        "MEMBERSHIP_CREATED",
        "INVITATION_ACCEPTED",
        "INVITATION_CREATED",
        "ORGANIZATION_CREATED",
    ]
    assert "prof@gmail.com" not in str(events)
    only = client.get(
        f"{API}/admin/audit-events", params={"type": "MEMBERSHIP_CREATED"}, headers=bearer(support)
    )
    assert only.json()["total"] == 1
