"""A back-to-school morning on this machine, against two ``pix-orga serve`` processes and one
``pix-orga worker`` on one PostgreSQL database, with rate-limit counters in the local Redis and
e-mails delivered to a real SMTP server (aiosmtpd) on loopback.

For ``--duration`` seconds (60 by default): 5 schools import 2,000 students each (each school's
import starts at once; its pupils join once it is done), 300 simulated students join campaigns
(match → account → participation, one in five with a typo first), and 20 administrators invite
colleagues. Prints throughput, p50/p99 per endpoint, the errors (target: no 5xx; p99 of
``student-matches`` under 200 ms) and the e-mails delivered.

    make bench            (or: uv run python -m benchmarks.bench_load [--duration 60])
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import cast

import httpx

from benchmarks.harness import database
from benchmarks.load_client import Recorder
from tests.support.api import admin_of_new_organization, bearer
from tests.support.processes import running, start_api, start_worker
from tests.support.siecle_generator import build_siecle
from tests.support.smtp import smtp_server

SCHOOLS = 5
STUDENTS_PER_SCHOOL = 2_000
JOINERS = 300
ADMINS = 20
MATCH_P99_TARGET = 0.200


async def morning(
    apis: list[str], schools: list[dict[str, object]], duration: float, recorder: Recorder
) -> None:
    rng = random.Random(5)
    imported = {school["id"]: asyncio.Event() for school in schools}
    clients = [httpx.AsyncClient(base_url=url, timeout=120) for url in apis]

    def api(n: int) -> httpx.AsyncClient:
        return clients[n % len(clients)]

    async def import_school(n: int, school: dict[str, object]) -> None:
        response = await recorder.timed(
            "POST student-imports",
            api(n).post(
                f"/api/v1/organizations/{school['id']}/student-imports",
                files={"file": ("ElevesSansAdresses.xml", cast(bytes, school["xml"]), "text/xml")},
                headers=bearer(str(school["token"])),
            ),
        )
        if response.status_code != 201:
            raise RuntimeError(f"import failed: {response.status_code} {response.text[:300]}")
        imported[school["id"]].set()

    async def join(n: int, school: dict[str, object], person: dict[str, str], start_after: float) -> None:
        await imported[school["id"]].wait()
        await asyncio.sleep(start_after)
        http, code = api(n), school["code"]
        if n % 5 == 0:
            typo = {**person, "first_name": person["first_name"] + "zz"}
            await recorder.timed(
                "POST student-matches", http.post(f"/api/v1/campaigns/{code}/student-matches", json=typo)
            )
        await recorder.timed(
            "POST student-matches", http.post(f"/api/v1/campaigns/{code}/student-matches", json=person)
        )
        created = await recorder.timed(
            "POST student-accounts",
            http.post(
                f"/api/v1/campaigns/{code}/student-accounts",
                json={**person, "login": "username", "password": "Rentree2026", "accept_terms": True},
            ),
        )
        if created.status_code == 201:
            token = created.json()["access_token"]
            await recorder.timed(
                "POST participations",
                api(n + 1).post(f"/api/v1/campaigns/{code}/participations", headers=bearer(token)),
            )

    async def invite(n: int, school: dict[str, object], deadline: float) -> None:
        round_ = 0
        while time.perf_counter() < deadline:
            emails = f"prof{n}-{round_}@ac-paris.fr, Collègue <coll{n}-{round_}@gmail.com>"
            await recorder.timed(
                "POST invitations",
                api(n + round_).post(
                    f"/api/v1/organizations/{school['id']}/invitations",
                    json={"emails": emails},
                    headers=bearer(str(school["token"])),
                ),
            )
            await recorder.timed(
                "GET invitations",
                api(n + round_ + 1).get(
                    f"/api/v1/organizations/{school['id']}/invitations", headers=bearer(str(school["token"]))
                ),
            )
            round_ += 1
            await asyncio.sleep(rng.uniform(2, 4))

    deadline = time.perf_counter() + duration
    tasks = [import_school(n, school) for n, school in enumerate(schools)]
    people = [(school, person) for school in schools for person in school["people"]]  # type: ignore[attr-defined]
    for n, (school, person) in enumerate(rng.sample(people, JOINERS)):
        tasks.append(join(n, school, person, rng.uniform(0, duration * 0.8)))
    tasks.extend(invite(n, schools[n % SCHOOLS], deadline) for n in range(ADMINS))
    try:
        await asyncio.gather(*tasks)
    finally:
        for client in clients:
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    duration = parser.parse_args().duration
    recorder = Recorder()
    logs = Path(tempfile.mkdtemp(prefix="pix-orga-bench-"))
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    with smtp_server() as mailbox, database() as url:
        settings = {
            "environment": "development",
            "email_backend": "smtp",
            "smtp_url": f"smtp://127.0.0.1:{mailbox.port}",
            "rate_limit_storage_url": f"redis://127.0.0.1:6379/0?key_prefix={prefix}",
        }
        apis = [start_api(url, logs, **settings), start_api(url, logs, **settings)]
        worker = start_worker(url, logs, **settings)
        with running(*apis, worker):
            for process in apis:
                process.wait_ready()
            schools = []
            with httpx.Client(base_url=apis[0].url, timeout=60) as http:
                for n in range(SCHOOLS):
                    uai = f"075{n:04d}X"
                    generated = build_siecle(STUDENTS_PER_SCHOOL, uai=uai, seed=100 + n, all_kept=True)
                    org, token = admin_of_new_organization(
                        http,
                        url,
                        f"chef{n}@lycee{n}.fr",
                        name=f"Lycée {n}",
                        uai=uai,
                        email=f"ce.{uai.lower()}@ac.fr",
                    )
                    campaign = http.post(
                        f"/api/v1/organizations/{org['id']}/campaigns",
                        json={"name": "Rentrée", "type": "ASSESSMENT"},
                        headers=bearer(token),
                    ).json()
                    people = [
                        {
                            "first_name": r.first_name,
                            "last_name": r.last_name,
                            "birthdate": r.birthdate.isoformat(),
                        }
                        for r in generated.expected_records()
                    ]
                    schools.append(
                        {
                            "id": org["id"],
                            "token": token,
                            "xml": generated.xml,
                            "code": campaign["code"],
                            "people": people,
                        }
                    )
            mailbox.wait_for(SCHOOLS, timeout=60)  # the activation e-mails of the set-up
            mailbox.received.clear()
            started = time.perf_counter()
            asyncio.run(morning([api.url for api in apis], schools, duration, recorder))
            elapsed = time.perf_counter() - started
            drain_deadline = time.monotonic() + 60
            expected = None
            with httpx.Client(base_url=apis[0].url, timeout=60) as http:
                while time.monotonic() < drain_deadline:
                    queued = sum(
                        http.get(
                            f"/api/v1/organizations/{s['id']}/invitations",
                            headers=bearer(str(s["token"])),
                            params={"page_size": 1},
                        ).json()["total"]
                        for s in schools
                    )
                    expected = queued
                    if len(mailbox.received) >= queued:
                        break
                    time.sleep(0.5)
    total = sum(recorder.count(name) for name in recorder.latencies)
    print(
        f"back-to-school morning: {SCHOOLS} schools × {STUDENTS_PER_SCHOOL} students imported, "
        f"{JOINERS} students joining, {ADMINS} administrators inviting, 2 API processes + 1 worker, "
        f"{elapsed:.0f} s"
    )
    print(f"throughput: {total / elapsed:.1f} requests/s over the run")
    print(f"{'endpoint':<24} {'count':>6} {'p50':>8} {'p99':>8}  statuses")
    for name in sorted(recorder.latencies):
        statuses = ", ".join(f"{status}×{n}" for status, n in sorted(recorder.statuses[name].items()))
        print(
            f"{name:<24} {recorder.count(name):>6} {recorder.median(name) * 1000:>6.0f}ms"
            f" {recorder.percentile(name, 99) * 1000:>6.0f}ms  {statuses}"
        )
    p99 = recorder.percentile("POST student-matches", 99)
    print(
        f"5xx: {recorder.server_errors()} (target 0); student-matches p99 {p99 * 1000:.0f} ms "
        f"(target < {MATCH_P99_TARGET * 1000:.0f} ms) {'ok' if p99 < MATCH_P99_TARGET else 'MISSED'}"
    )
    print(f"e-mails delivered to SMTP: {len(mailbox.received)} (pending invitations at the end: {expected})")


if __name__ == "__main__":
    main()
