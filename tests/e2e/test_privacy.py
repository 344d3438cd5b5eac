"""No personal data in the log (docs/rules.md, "Privacy"): the end-to-end stories run
against a server whose log is captured as production writes it, then every name, username,
birthdate, e-mail address, password, invitation code, reset token and access or refresh token
used in the run is looked for in it, with the paths holding ids and the query strings. The
console e-mail adapter prints outside the log, and is refused in production."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from pydantic import ValidationError

from infrastructure.settings import Settings
from tests.support.api import (
    API,
    PASSWORD,
    bearer,
    create_support_user,
    db_execute,
    queued_invitation_code,
    queued_reset_token,
)
from tests.support.campaigns import PUPIL_PASSWORD, create_account, create_campaign, match, participate
from tests.support.logs import CapturedLogs, captured_logs
from tests.support.recovery import queued_recovery, recovery_body

SIECLE_FIELDS = ("NOM_DE_FAMILLE", "NOM_USAGE", "PRENOM", "PRENOM2", "PRENOM3")

# The people of the run (the pupils come from the SIECLE sample).
HEAD = {"first_name": "Hortense", "last_name": "Quillardet", "email": "hortense.quillardet@ac-paris.fr"}
HEAD_PASSWORD = "Quillard3tSecret"
REFERENT = {"first_name": "Gaspard", "last_name": "Lheureux", "email": "gaspard.lheureux@gmail.com"}
REFERENT_PASTED = f"{REFERENT['first_name']} {REFERENT['last_name']} <{REFERENT['email']}>"
TEACHER_EMAIL = "prof.zebulon@gmail.com"
SUPPORT_EMAIL = "support.vigilant@pix.fr"
ORG_EMAIL = "ce.0751234a@ac-paris.fr"
UNKNOWN_LOGIN = "inconnu.barnabe@example.fr"
WRONG_PASSWORD = "Mauvais9Essai"
CHANGED_PASSWORD = "Change2Secret"
RESET_PASSWORD = "Oubli4Secret"
RECOVERY_EMAIL = "alan.mathison@example.org"
RECOVERY_PASSWORD = "Retrouve5Secret"
ALAN_INE = "000001033PX"
INVALID = {"first_name": "Théodorine", "last_name": "Vasseur", "email": "theodorine.sans.arobase"}
ALAN = ("Alan", "Turing", "2002-06-23")
NOBODY = ("Barnabé", "Introuvable", "2001-01-31")
# What the crash's exception says: it must stay out of the log.
CRASH_DETAIL = f"{HEAD['email']} {HEAD_PASSWORD} born 23/06/2002"


class Secrets:
    """Everything personal the run sends or receives, and every path and query string it uses."""

    def __init__(self) -> None:
        self.exact: set[str] = set()  # passwords, codes, tokens: looked for as they are
        self.folded: set[str] = set()  # e-mails, usernames, dates, INE: whatever the case
        self.words: set[str] = set()  # names: whole words, whatever the case and accents
        self.paths: set[str] = set()
        self.queries: set[str] = set()
        self.request_count = 0
        self.mailed_codes: list[str] = []  # the invitation codes of the e-mails sent in the run

    def sent(self, request: httpx.Request) -> None:
        """An httpx event hook: every request of the run."""
        self.request_count += 1
        self.paths.add(request.url.path)
        if request.url.query:
            self.queries.add(request.url.query.decode())

    def secret(self, *values: str) -> None:
        self.exact.update(value for value in values if value)

    def token(self, token: str) -> None:
        self.exact.add(token)
        if token.count(".") == 2:  # a JWT: its signature alone would be enough to forge nothing,
            self.exact.add(token.rsplit(".", 1)[1])  # but it is no business of the log either

    def tokens(self, body: dict[str, Any]) -> None:
        for name in ("access_token", "refresh_token"):
            if body.get(name):
                self.token(body[name])

    def email(self, *addresses: str) -> None:
        for address in addresses:
            self.folded.add(address)
            self.folded.add(address.split("@")[0])

    def name(self, *names: str) -> None:
        for name in names:
            for variant in _spellings(name):
                self.words.add(variant)
                self.words.update(part for part in re.split(r"[\s'-]+", variant) if len(part) >= 4)

    def birthdate(self, day: str) -> None:
        """``YYYY-MM-DD`` or ``DD/MM/YYYY``: both spellings are looked for."""
        if "/" in day:
            dd, mm, yyyy = day.split("/")
        else:
            yyyy, mm, dd = day.split("-")
        self.folded.update({f"{yyyy}-{mm}-{dd}", f"{dd}/{mm}/{yyyy}"})

    def leaks(self, text: str) -> list[tuple[str, str]]:
        """``(kind, value)`` for each of them found in ``text``."""
        lowered = text.lower()
        found = [("secret", value) for value in self.exact if value in text]
        found += [("value", value) for value in self.folded if value.lower() in lowered]
        found += [
            ("name", word)
            for word in self.words
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE)
        ]
        found += [("query string", query) for query in self.queries if query in text]
        return sorted(found)


def _spellings(name: str) -> set[str]:
    """The name, and the name without accents or ligatures (as a search may normalise it)."""
    plain = name.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    return {name.strip(), plain.strip()} - {""}


def siecle_people(path: Path) -> Iterable[tuple[str, str]]:
    """``(field, value)`` for every name, birthdate and INE of a SIECLE file."""
    text = path.read_bytes().decode("iso-8859-15")
    for field in (*SIECLE_FIELDS, "DATE_NAISS", "ID_NATIONAL"):
        for value in re.findall(rf"<{field}>([^<]+)</{field}>", text):
            yield field, value.strip()


def concrete_paths(app: Any, paths: set[str]) -> set[str]:
    """The paths of the run that are not route templates: those holding an id or a code."""
    templates = {route.path for route in iter_route_contexts(app.routes)}
    return {path for path in paths if path not in templates}


def _form(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    return client.post(f"{API}{path}", data=data)


def test_the_stories_leave_no_personal_data_in_the_log(make_server, siecle_samples, capsys):
    secrets = Secrets()
    secrets.secret(PASSWORD, PUPIL_PASSWORD, HEAD_PASSWORD, WRONG_PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD)
    secrets.secret(RECOVERY_PASSWORD)
    secrets.email(HEAD["email"], REFERENT["email"], TEACHER_EMAIL, SUPPORT_EMAIL, ORG_EMAIL, UNKNOWN_LOGIN)
    secrets.email(RECOVERY_EMAIL)
    secrets.email(INVALID["email"])
    secrets.name(HEAD["first_name"], HEAD["last_name"], REFERENT["first_name"], REFERENT["last_name"])
    secrets.name(INVALID["first_name"], INVALID["last_name"], NOBODY[0], NOBODY[1])
    secrets.birthdate(NOBODY[2])
    sample = siecle_samples / "ElevesSansAdresses.xml"
    for field, value in siecle_people(sample):
        if field == "DATE_NAISS":
            secrets.birthdate(value)
        elif field == "ID_NATIONAL":
            secrets.folded.add(value)
        else:
            secrets.name(value)

    with captured_logs() as logs:
        srv = make_server(login_failures_per_login_and_address="3/15minutes")
        database_url = srv.settings.database_url
        with httpx.Client(base_url=srv.url, timeout=30, event_hooks={"request": [secrets.sent]}) as http:
            org_id, head = _activation_story(http, srv, database_url, secrets)
            _import_and_joining_story(http, org_id, head, sample, secrets)
            _api_client_story(http, org_id, head, sample, secrets)
            _account_story(http, database_url, secrets)
            _recovery_story(http, database_url, secrets)
            _websocket_attempt(http, f"{API}/organization-invitations/{org_id}", secrets)
            crash_id = _crash(http, srv)
        srv.stop()  # every request has finished, its access line written

    _assert_no_personal_data(logs, secrets, srv.app)
    _assert_one_access_line_per_request(logs, secrets.request_count)
    (crash,) = [
        r for r in logs.records() if r["name"] == "pix_orga.errors" and r.get("request_id") == crash_id
    ]
    assert crash["error_type"] == "RuntimeError"
    assert crash["route"] == "/test-only/crash"

    # The console adapter printed the e-mails, with their links, on standard output (and the
    # codes are not in the log: checked above with every other secret).
    printed = capsys.readouterr().out
    assert len(secrets.mailed_codes) == 3
    for code in secrets.mailed_codes:
        assert f"code={code}" in printed


def _activation_story(http: httpx.Client, srv: Any, database_url: str, secrets: Secrets) -> tuple[int, str]:
    """Steps 1 to 3: support, the activation invitation, the head teacher, the team."""
    create_support_user(database_url, SUPPORT_EMAIL)
    support_tokens = _form(http, "/auth/token", username=SUPPORT_EMAIL, password=PASSWORD).json()
    secrets.tokens(support_tokens)
    support = bearer(support_tokens["access_token"])
    org = http.post(
        f"{API}/admin/organizations",
        json={
            "name": "Lycée Pix",
            "type": "SCO",
            "uai": "0751234A",
            "email": ORG_EMAIL,
            "is_managing_students": True,
        },
        headers=support,
    ).json()
    assert (
        http.post(f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=support).status_code
        == 201
    )
    invitation_id, code = queued_invitation_code(database_url, ORG_EMAIL)
    secrets.secret(code)
    secrets.mailed_codes.append(code)
    assert (
        http.get(f"{API}/organization-invitations/{invitation_id}", params={"code": code}).status_code == 200
    )
    assert (
        http.get(
            f"{API}/organization-invitations/{invitation_id}", params={"code": "WrongCode123"}
        ).status_code
        == 404
    )
    assert (
        http.get(f"{API}/admin/users", params={"query": HEAD["last_name"]}, headers=support).status_code
        == 200
    )

    signed_up = http.post(f"{API}/users", json={**HEAD, "password": HEAD_PASSWORD, "accept_terms": True})
    assert signed_up.status_code == 201, signed_up.text
    first = _form(http, "/auth/token", username=HEAD["email"], password=HEAD_PASSWORD).json()
    secrets.tokens(first)
    accepted = http.post(
        f"{API}/organization-invitations/{invitation_id}/accept",
        json={"code": code},
        headers=bearer(first["access_token"]),
    )
    assert accepted.status_code == 201, accepted.text
    terms = http.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(first["access_token"]))
    assert terms.status_code == 204
    tokens = _form(
        http, "/auth/token", username=HEAD["email"].upper(), password=HEAD_PASSWORD, scope="pix-orga"
    )
    secrets.tokens(tokens.json())
    head = tokens.json()["access_token"]

    invited = http.post(
        f"{API}/organizations/{org['id']}/invitations",
        json={"emails": f"{REFERENT_PASTED}; {TEACHER_EMAIL}"},
        headers=bearer(head),
    )
    assert invited.status_code == 201, invited.text
    referent_invitation, referent_code = queued_invitation_code(database_url, REFERENT["email"])
    teacher_invitation, teacher_code = queued_invitation_code(database_url, TEACHER_EMAIL)
    secrets.secret(referent_code, teacher_code)
    secrets.mailed_codes += [referent_code, teacher_code]
    # The dispatcher sends them with the console backend: printed, with their links.
    assert srv.call(srv.app.state.dispatcher.run_once()) == 3

    referent = http.post(f"{API}/users", json={**REFERENT, "password": PASSWORD, "accept_terms": True})
    assert referent.status_code == 201
    referent_tokens = _form(http, "/auth/token", username=REFERENT["email"], password=PASSWORD).json()
    secrets.tokens(referent_tokens)
    joined = http.post(
        f"{API}/organization-invitations/{referent_invitation}/accept",
        json={"code": referent_code},
        headers=bearer(referent_tokens["access_token"]),
    )
    assert joined.status_code == 201
    members = http.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(head)).json()
    referent_membership = next(m for m in members["items"] if m["user"]["email"] == REFERENT["email"])
    promoted = http.patch(
        f"{API}/organizations/{org['id']}/memberships/{referent_membership['id']}",
        json={"role": "ADMIN"},
        headers=bearer(head),
    )
    assert promoted.status_code == 200
    resent = http.post(
        f"{API}/organizations/{org['id']}/invitations/{teacher_invitation}/resend", headers=bearer(head)
    )
    assert resent.status_code == 429  # within a minute of the last send
    listed = http.get(
        f"{API}/organizations/{org['id']}/invitations", params={"status": "ACCEPTED"}, headers=bearer(head)
    )
    assert listed.status_code == 200
    activation = http.post(
        f"{API}/sco-activation-requests",
        json={"uai": "0751234A", "first_name": HEAD["first_name"], "last_name": HEAD["last_name"]},
    )
    assert activation.status_code == 202
    return org["id"], head


def _api_client_story(http: httpx.Client, org_id: int, head: str, sample: Path, secrets: Secrets) -> None:
    """An integrator: a client created, its tokens (Basic, form, a wrong secret), a roster pushed,
    a rotation and a revocation; its secrets and tokens stay out of the log."""
    clients = f"{API}/organizations/{org_id}/api-clients"
    body = {"name": "ENT", "scopes": ["students:import", "students:read"]}
    created = http.post(clients, json=body, headers=bearer(head)).json()
    secrets.secret(created["client_secret"])
    auth = (created["client_id"], created["client_secret"])
    token = http.post(f"{API}/auth/token", data={"grant_type": "client_credentials"}, auth=auth).json()
    secrets.tokens(token)
    form = {"grant_type": "client_credentials", "client_id": auth[0], "client_secret": auth[1]}
    secrets.tokens(_form(http, "/auth/token", **form).json())
    wrong = {**form, "client_secret": "pxs_WrongSecretNobodyHas"}
    secrets.secret(wrong["client_secret"])
    assert _form(http, "/auth/token", **wrong).status_code == 401
    with sample.open("rb") as file:
        pushed = http.post(
            f"{API}/organizations/{org_id}/student-imports",
            files={"file": (sample.name, file, "application/xml")},
            headers=bearer(token["access_token"]),
        )
    assert pushed.status_code == 201, pushed.text
    rotated = http.post(f"{clients}/{created['id']}/secret-rotations", headers=bearer(head)).json()
    secrets.secret(rotated["client_secret"])
    assert http.delete(f"{clients}/{created['id']}", headers=bearer(head)).status_code == 204


def _import_and_joining_story(
    http: httpx.Client, org_id: int, head: str, sample: Path, secrets: Secrets
) -> None:
    """Step 4 (the SIECLE import, a refused file, the list) and step 5 (a pupil joins)."""
    with sample.open("rb") as file:
        imported = http.post(
            f"{API}/organizations/{org_id}/student-imports",
            files={"file": (sample.name, file, "application/xml")},
            headers=bearer(head),
        )
    assert imported.status_code == 201, imported.text
    # A refused file: its report quotes lines, names and dates (in the response only). Its
    # "names" are field-error markers ("DATE Impossible"): its dates and INE are looked for.
    refused_file = sample.parent / "erreur-champs.xml"
    secrets.folded.update(
        value for field, value in siecle_people(refused_file) if field in ("DATE_NAISS", "ID_NATIONAL")
    )
    refused = http.post(
        f"{API}/organizations/{org_id}/student-imports",
        files={"file": (refused_file.name, refused_file.read_bytes(), "application/xml")},
        headers=bearer(head),
    )
    assert refused.status_code == 422
    found = http.get(
        f"{API}/organizations/{org_id}/students",
        params={"search": "turing alan", "page_size": 5},
        headers=bearer(head),
    )
    assert found.json()["total"] == 1

    code = create_campaign(http, head, org_id, name="Rentrée 2nde")["code"]
    assert http.get(f"{API}/campaigns/{code}").status_code == 200
    assert match(http, code, *NOBODY).status_code == 404
    suggested = match(http, code, *ALAN)
    assert suggested.status_code == 200, suggested.text
    created = create_account(http, code, *ALAN)
    assert created.status_code == 201, created.text
    pupil = created.json()
    secrets.folded.add(pupil["username"])
    secrets.tokens(pupil)
    assert participate(http, code, pupil["access_token"]).status_code == 201
    logged_in = _form(http, "/auth/token", username=pupil["username"], password=PUPIL_PASSWORD)
    assert logged_in.status_code == 200
    secrets.tokens(logged_in.json())
    assert _form(http, "/auth/token", username=pupil["username"], password=WRONG_PASSWORD).status_code == 401

    student_id = found.json()["items"][0]["id"]
    reset = http.post(
        f"{API}/organizations/{org_id}/students/password-resets",
        json={"student_ids": [student_id]},
        headers={**bearer(head), "Accept": "application/json"},
    )
    assert reset.status_code == 200, reset.text
    secrets.secret(*(row["temporary_password"] for row in reset.json()["reset"]))


def _account_story(http: httpx.Client, database_url: str, secrets: Secrets) -> None:
    """Failed logins up to the limit, validation errors, refresh, logout, password change and reset."""
    for _ in range(3):
        assert _form(http, "/auth/token", username=HEAD["email"], password=WRONG_PASSWORD).status_code == 401
    assert _form(http, "/auth/token", username=HEAD["email"], password=HEAD_PASSWORD).status_code == 429
    assert _form(http, "/auth/token", username=UNKNOWN_LOGIN, password=WRONG_PASSWORD).status_code == 401

    invalid = http.post(f"{API}/users", json={**INVALID, "password": "court", "accept_terms": "oui"})
    assert invalid.status_code == 422
    weak = http.post(
        f"{API}/users", json={**INVALID, "email": UNKNOWN_LOGIN, "password": "court", "accept_terms": True}
    )
    assert weak.status_code == 422
    taken = http.post(f"{API}/users", json={**HEAD, "password": HEAD_PASSWORD, "accept_terms": True})
    assert taken.status_code == 409
    malformed = http.post(
        f"{API}/users",
        content=f'{{"email": "{UNKNOWN_LOGIN}", "password": "{WRONG_PASSWORD}"'.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400

    # The referent's session: refresh, use, log out, then a revoked token and a forged one.
    tokens = _form(http, "/auth/token", username=REFERENT["email"], password=PASSWORD).json()
    secrets.tokens(tokens)
    rotated = _form(
        http, "/auth/token", grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    ).json()
    secrets.tokens(rotated)
    assert http.get(f"{API}/users/me", headers=bearer(rotated["access_token"])).status_code == 200
    assert _form(http, "/auth/revoke", token=rotated["refresh_token"]).status_code == 200
    assert http.get(f"{API}/users/me", headers=bearer(rotated["access_token"])).status_code == 401
    forged = rotated["access_token"][:-6] + "AAAAAA"
    secrets.token(forged)
    assert http.get(f"{API}/users/me", headers=bearer(forged)).status_code == 401

    again = _form(http, "/auth/token", username=REFERENT["email"], password=PASSWORD).json()
    secrets.tokens(again)
    changed = http.put(
        f"{API}/users/me/password",
        json={"current_password": PASSWORD, "new_password": CHANGED_PASSWORD},
        headers=bearer(again["access_token"]),
    )
    assert changed.status_code == 204

    asked = http.post(f"{API}/password-reset-requests", json={"email": REFERENT["email"], "app": "orga"})
    assert asked.status_code == 202
    assert (
        http.post(f"{API}/password-reset-requests", json={"email": UNKNOWN_LOGIN, "app": "app"}).status_code
        == 202
    )
    reset_token = queued_reset_token(database_url, REFERENT["email"])
    secrets.secret(reset_token)
    done = http.post(f"{API}/password-resets", json={"token": reset_token, "new_password": RESET_PASSWORD})
    assert done.status_code == 204
    reused = http.post(f"{API}/password-resets", json={"token": reset_token, "new_password": RESET_PASSWORD})
    assert reused.status_code == 410
    secrets.tokens(_form(http, "/auth/token", username=REFERENT["email"], password=RESET_PASSWORD).json())


def _recovery_story(http: httpx.Client, database_url: str, secrets: Secrets) -> None:
    """Alan leaves the school (his record disabled, as the next import does) and recovers his account
    with an e-mail address: a wrong birth date first, then the link, read, completed and reused."""
    db_execute(
        database_url,
        "UPDATE students SET disabled_at = :t WHERE national_student_id = :ine",
        t=datetime.now(UTC),
        ine=ALAN_INE,
    )
    first_name, last_name, birthdate = ALAN
    secrets.birthdate("2002-06-24")
    wrong_day = recovery_body(ALAN_INE, first_name, last_name, "2002-06-24", RECOVERY_EMAIL)
    assert http.post(f"{API}/account-recoveries", json=wrong_day).status_code == 404
    asked = recovery_body(ALAN_INE, first_name, last_name, birthdate, RECOVERY_EMAIL)
    assert http.post(f"{API}/account-recoveries", json=asked).status_code == 202
    recovery_id, code = queued_recovery(database_url, RECOVERY_EMAIL)
    secrets.secret(code)
    shown = http.get(f"{API}/account-recoveries/{recovery_id}", params={"code": code})
    assert shown.status_code == 200, shown.text
    completion = {"code": code, "password": RECOVERY_PASSWORD}
    done = http.post(f"{API}/account-recoveries/{recovery_id}/completion", json=completion)
    assert done.status_code == 204, done.text
    reused = http.post(f"{API}/account-recoveries/{recovery_id}/completion", json=completion)
    assert reused.status_code == 410
    secrets.tokens(_form(http, "/auth/token", username=RECOVERY_EMAIL, password=RECOVERY_PASSWORD).json())


def _websocket_attempt(http: httpx.Client, invitation_path: str, secrets: Secrets) -> None:
    """A WebSocket handshake on a path with a code: uvicorn's WebSocket protocols log the path
    and query string of such requests; the service serves none, so it is answered as HTTP."""
    code = "WsSecretCode0042"
    secrets.secret(code)
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    response = http.get(invitation_path, params={"code": code}, headers=upgrade)
    assert response.status_code == 404


def _crash(http: httpx.Client, srv: Any) -> str:
    """A bug whose exception quotes personal data, on a request whose query string holds some."""

    async def crash() -> None:
        raise RuntimeError(CRASH_DETAIL)

    srv.app.add_api_route("/test-only/crash", crash, methods=["GET"])
    response = http.get("/test-only/crash", params={"email": HEAD["email"], "code": "Zq8vLmN3pR"})
    assert response.status_code == 500
    assert HEAD["email"] not in response.text
    return response.headers["x-request-id"]


def _assert_no_personal_data(logs: CapturedLogs, secrets: Secrets, app: Any) -> None:
    text = logs.searchable()
    assert logs.records(), "nothing was logged: the capture does not work"
    leaks = secrets.leaks(text)
    lines = [line for line in text.splitlines() if any(value.lower() in line.lower() for _, value in leaks)]
    assert leaks == [], f"personal data in the log: {leaks}\n" + "\n".join(lines[:20])
    paths = sorted(path for path in concrete_paths(app, secrets.paths) if path in text)
    assert paths == [], f"paths with ids in the log: {paths}"
    assert CRASH_DETAIL not in text
    assert not re.search(r"[?&](code|token|email|search|query|status|page|page_size)=", text), (
        "a query string"
    )


def _assert_one_access_line_per_request(logs: CapturedLogs, request_count: int) -> None:
    access = logs.access()
    assert len(access) == request_count
    for line in access:
        assert set(line) >= {"method", "route", "status", "duration_ms", "request_id"}, line
        assert "?" not in line["route"]


def test_the_console_email_backend_is_refused_in_production():
    production = {"environment": "production", "secret_key": "s3cr3t-" * 6, "database_url": "sqlite:///x.db"}
    with pytest.raises(ValidationError, match="EMAIL_BACKEND=console"):
        Settings(_env_file=None, email_backend="console", **production)
    accepted = Settings(_env_file=None, email_backend="smtp", **production)
    assert accepted.email_backend == "smtp"
    # Elsewhere the console backend is the default, for ``make run``.
    assert Settings(_env_file=None, environment="development").email_backend == "console"
