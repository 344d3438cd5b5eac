"""Brute force and concurrency on the joining endpoints: the rate limits count only "not found"
answers, per typed name and per address, so a class behind one school address is never blocked
while a pupil's birthdate cannot be guessed; a double click creates one account; usernames that
collide under load all come out distinct."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import date, timedelta

import httpx
import pytest

from tests.support.api import admin_of_new_organization, db_execute, problem, signed_up_token
from tests.support.campaigns import create_account, create_campaign, identity, link, match
from tests.support.students import insert_student

API = "/api/v1"

FIRST_NAMES = [
    "Adam", "Basile", "Chloé", "Diane", "Élise", "Fanny", "Gabin", "Hugo", "Inès", "Jade", "Kylian", "Léna",
    "Malo", "Nina", "Oscar", "Paul", "Quentin", "Rose", "Sacha", "Tom", "Ugo", "Victor", "Wassim", "Xavier",
    "Yanis", "Zoé", "Alice", "Benoît", "Capucine", "Damien", "Emma", "Félix", "Gaspard", "Héloïse", "Iris",
]  # fmt: skip


def school_with_campaign(client, database_url):
    org, admin = admin_of_new_organization(client, database_url)
    return org, create_campaign(client, admin, org["id"])["code"]


def test_a_class_behind_one_address_is_never_blocked(make_server):
    server = make_server()  # the default limits: 20 per name and hour, 300 per address and 10 minutes
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
        pupils = [
            (first, f"ELEVE{i:02d}", date(2008, 1, 1) + timedelta(days=i))
            for i, first in enumerate(FIRST_NAMES)
        ]
        assert len(pupils) == 35
        for first, last, birthdate in pupils:
            insert_student(database_url, org["id"], first_name=first, last_name=last, birthdate=birthdate)
        for first, last, birthdate in pupils:
            wrong_day = (birthdate + timedelta(days=400)).isoformat()
            problem(match(client, code, first, last, wrong_day), 404, "STUDENT_NOT_FOUND")
            problem(
                match(client, code, first + "xyzw", last, birthdate.isoformat()), 404, "STUDENT_NOT_FOUND"
            )
            created = create_account(client, code, first, last, birthdate.isoformat())
            assert created.status_code == 201, created.text
    assert db_execute(database_url, "SELECT count(*) FROM students WHERE user_id IS NOT NULL")[0][0] == 35


def test_a_burst_of_guesses_at_one_pupil_checks_no_more_than_the_limit(make_server):
    server = make_server()  # 20 not-found per pupil aimed at and hour
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
    insert_student(
        database_url, org["id"], first_name="Alan", last_name="TURING", birthdate=date(2002, 6, 23)
    )
    wrong = [(date(2001, 1, 1) + timedelta(days=i)).isoformat() for i in range(99)]

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
            body = {"login": "username", "password": "Secret1234", "accept_terms": True}
            requests = [
                http.post(f"{API}/campaigns/{code}/student-matches", json=identity("Alan", "Turing", day))
                if i % 2
                else http.post(
                    f"{API}/campaigns/{code}/student-accounts",
                    json={**identity("Alan", "Turing", day), **body},
                )
                for i, day in enumerate([*wrong, "2002-06-23"])  # the right birthdate last
            ]
            return [answer.status_code for answer in await asyncio.gather(*requests)]

    statuses = asyncio.run(burst())
    assert statuses[:99].count(404) == 20, statuses
    assert set(statuses[:99]) == {404, 429}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        problem(match(client, code, "Alan", "Turing", "2002-06-23"), 429, "TOO_MANY_REQUESTS")


def test_guessing_a_birthdate_is_stopped_after_20_not_found(make_server):
    server = make_server()
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
        insert_student(
            database_url, org["id"], first_name="Alan", last_name="TURING", birthdate=date(2002, 6, 23)
        )
        insert_student(
            database_url, org["id"], first_name="Ada", last_name="LOVELACE", birthdate=date(2003, 12, 10)
        )
        guesses = [date(2002, 1, 1) + timedelta(days=i) for i in range(20)]
        for i, guess in enumerate(guesses):
            # The same person typed several ways is one name: case, accents and spaces do not matter.
            first, last = ("Alan", "Turing") if i % 2 else ("ALAN", " turing ")
            problem(match(client, code, first, last, guess.isoformat()), 404, "STUDENT_NOT_FOUND")
        # The 21st guess is the right birthdate, and still refused: 429 whatever the outcome.
        limited = problem(match(client, code, "Alan", "Turing", "2002-06-23"), 429, "TOO_MANY_REQUESTS")
        assert int(limited["status"]) == 429
        refused = match(client, code, "Alan", "Turing", "2002-06-23")
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        problem(create_account(client, code, "Alan", "Turing", "2002-06-23"), 429, "TOO_MANY_REQUESTS")
        # Another pupil of the same school, from the same address, is not blocked.
        assert match(client, code, "Ada", "Lovelace", "2003-12-10").status_code == 200
        # A match does not count: an attached pupil can ask again and again.
        for _ in range(25):
            assert match(client, code, "Ada", "Lovelace", "2003-12-10").status_code == 200
    assert db_execute(database_url, "SELECT count(*) FROM students WHERE user_id IS NOT NULL")[0][0] == 0


def test_respelling_the_name_does_not_buy_more_guesses(make_server):
    server = make_server()
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
        insert_student(
            database_url, org["id"], first_name="Alan", last_name="TURING", birthdate=date(2002, 6, 23)
        )
        insert_student(
            database_url, org["id"], first_name="Alban", last_name="TURING", birthdate=date(2005, 2, 1)
        )
        for i in range(20):
            guess = (date(2002, 1, 1) + timedelta(days=i)).isoformat()
            problem(match(client, code, "Alan", "Turing", guess), 404, "STUDENT_NOT_FOUND")
        # The right birthdate, the name spelled another way: still a guess at the same pupil.
        for first, last in [("Alan", "Turingg"), ("Alan", "Turin"), ("Alann", "Turing"), ("ALAN", "TÜRING")]:
            problem(match(client, code, first, last, "2002-06-23"), 429, "TOO_MANY_REQUESTS")
            problem(create_account(client, code, first, last, "2002-06-23"), 429, "TOO_MANY_REQUESTS")
        _, token = signed_up_token(client, "curieux@example.net")
        linked = link(client, code, token, identity("Alan", "Turingg", "2002-06-23"))
        problem(linked, 429, "TOO_MANY_REQUESTS")
        assert 0 < int(linked.headers["retry-after"]) <= 3600
        # Alban's name is close to the typed one: the guesses were aimed at him too.
        problem(match(client, code, "Alban", "Turing", "2005-02-01"), 429, "TOO_MANY_REQUESTS")
    assert db_execute(database_url, "SELECT count(*) FROM students WHERE user_id IS NOT NULL")[0][0] == 0


def test_a_pupil_imported_after_the_first_matches_is_guarded_too(make_server):
    server = make_server(match_failures_per_name="3/hour")
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
        insert_student(
            database_url, org["id"], first_name="Ada", last_name="LOVELACE", birthdate=date(2003, 12, 10)
        )
        assert match(client, code, "Ada", "Lovelace", "2003-12-10").status_code == 200  # the roster is read
        insert_student(
            database_url, org["id"], first_name="Alan", last_name="TURING", birthdate=date(2002, 6, 23)
        )
        for first, last, guess in [("Alan", "Turing", "2002-01-01"), ("Alann", "Turing", "2002-01-02"),
                                   ("Alan", "Turingg", "2002-01-03")]:  # fmt: skip
            problem(match(client, code, first, last, guess), 404, "STUDENT_NOT_FOUND")
        problem(match(client, code, "Allan", "Turing", "2002-06-23"), 429, "TOO_MANY_REQUESTS")
        assert match(client, code, "Ada", "Lovelace", "2003-12-10").status_code == 200


def test_an_ipv6_client_is_counted_by_its_64(make_server):
    server = make_server(trusted_proxies=["127.0.0.1"], match_failures_per_address="4/10minutes")
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
        insert_student(
            database_url, org["id"], first_name="Ada", last_name="LOVELACE", birthdate=date(2003, 12, 10)
        )
        for i in range(4):
            # A fresh address of the same /64 for every attempt.
            from_ = {"X-Forwarded-For": f"2001:db8:5:6::{i + 1:x}"}
            body = identity(f"Nom{i}", "Inconnu", "2003-12-10")
            answer = client.post(f"/api/v1/campaigns/{code}/student-matches", json=body, headers=from_)
            problem(answer, 404, "STUDENT_NOT_FOUND")
        ada = identity("Ada", "Lovelace", "2003-12-10")
        same_64 = {"X-Forwarded-For": "2001:db8:5:6:ffff::99"}
        answer = client.post(f"/api/v1/campaigns/{code}/student-matches", json=ada, headers=same_64)
        problem(answer, 429, "TOO_MANY_REQUESTS")
        next_64 = {"X-Forwarded-For": "2001:db8:5:7::1"}
        assert (
            client.post(f"/api/v1/campaigns/{code}/student-matches", json=ada, headers=next_64).status_code
            == 200
        )


def test_the_address_backstop(make_server):
    server = make_server(match_failures_per_address="5/10minutes")
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        org, code = school_with_campaign(client, database_url)
        insert_student(
            database_url, org["id"], first_name="Ada", last_name="LOVELACE", birthdate=date(2003, 12, 10)
        )
        for i in range(5):
            problem(match(client, code, f"Nom{i}", "Inconnu", "2003-12-10"), 404, "STUDENT_NOT_FOUND")
        problem(match(client, code, "Ada", "Lovelace", "2003-12-10"), 429, "TOO_MANY_REQUESTS")


@pytest.mark.parametrize("email", [None, "alan@example.net"], ids=["username", "email"])
def test_a_double_click_creates_one_account(client, server, email):
    database_url = server.settings.database_url
    org, code = school_with_campaign(client, database_url)
    insert_student(database_url, org["id"])

    def click(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=60) as own:
            return create_account(own, code, "Alan", "Turing", "2002-06-23", email=email)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(click, range(2)))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["code"] == "STUDENT_ALREADY_LINKED"
    assert refused.json()["meta"]["reason_code"] == ("S51" if email else "S52")
    assert db_execute(database_url, "SELECT count(*) FROM users WHERE first_name = 'Alan'")[0][0] == 1


@pytest.mark.postgresql_only
def test_thirty_simultaneous_accounts_whose_usernames_collide(client, server):
    database_url = server.settings.database_url
    org, code = school_with_campaign(client, database_url)
    years = range(1990, 2020)
    for year in years:
        insert_student(database_url, org["id"], birthdate=date(year, 6, 23))

    def create(year: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=120) as own:
            return create_account(own, code, "Alan", "Turing", f"{year}-06-23")

    with concurrent.futures.ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(create, years))
    assert [a.status_code for a in answers] == [201] * 30, [a.text for a in answers if a.status_code != 201]
    usernames = [a.json()["username"] for a in answers]
    assert len(set(usernames)) == 30
    assert "alan.turing2306" in usernames
    assert all(u.startswith("alan.turing") and len(u) == len("alan.turing2306") for u in usernames)
    rows = db_execute(database_url, "SELECT count(DISTINCT user_id) FROM students WHERE user_id IS NOT NULL")
    assert rows[0][0] == 30
