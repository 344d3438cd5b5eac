"""``pix-orga``: the operators' command line."""

from __future__ import annotations

import asyncio
import getpass
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, BinaryIO, NoReturn, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from api.bootstrap import build_limiter, build_use_cases
from api.messages import message
from api.siecle_messages import item_detail
from api.use_cases import UseCases
from domain.accounts.create_support_user import CreateSupportUser, CreateSupportUserCommand
from domain.clock import SystemClock
from domain.errors import DomainError
from domain.organizations.create_organization import CreateOrganization, CreateOrganizationCommand
from domain.organizations.entities import OrganizationType
from domain.organizations.send_activation_invitation import (
    SendActivationInvitation,
    SendActivationInvitationCommand,
)
from domain.students.import_students import ImportReport, ImportStudents, ImportStudentsCommand
from domain.students.ports import ReadUpload, Upload
from infrastructure.db.engine import create_engine
from infrastructure.db.migrations import upgrade
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.email.factory import build_dispatcher
from infrastructure.security.password_hasher import Argon2PasswordHasher
from infrastructure.settings import Settings
from infrastructure.siecle.upload_reader import StudentUploadReader
from infrastructure.webhooks.factory import build_webhook_dispatcher

app = typer.Typer(help="Pix Orga activation service: operators' commands.", no_args_is_help=True)

UVICORN_OPTIONS: dict[str, Any] = {
    "http": "httptools",
    # No WebSocket endpoint: an upgrade request is served as plain HTTP (uvicorn's WebSocket
    # protocols would log its path and query string, which can hold a code or a token).
    "ws": "none",
    # uvicorn's access log prints paths and query strings: ours logs route templates instead.
    "access_log": False,
    "log_config": None,
    # X-Forwarded-For is believed by the app, from TRUSTED_PROXIES only.
    "proxy_headers": False,
}
"""How ``pix-orga serve`` runs uvicorn; the tests' live server uses the same options."""
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
organizations_app = typer.Typer(help="Organizations and their activation.", no_args_is_help=True)
students_app = typer.Typer(help="Students and their imports (SIECLE, CSV, JSON).", no_args_is_help=True)
app.add_typer(students_app, name="students")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(organizations_app, name="organizations")

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:
        _fail(f"invalid configuration: {error}")


def _fail(reason: str) -> NoReturn:
    typer.echo(f"error: {reason}", err=True)
    raise typer.Exit(code=1)


def _run(awaitable: Awaitable[T]) -> T:
    async def runner() -> T:
        return await awaitable

    try:
        return asyncio.run(runner())
    except DomainError as error:
        roster = error.code == "INVALID_STUDENT_FILE"
        for item in error.errors or []:
            typer.echo(f"  {item.get('code')}: {item_detail(item, 'en', roster)}", err=True)
        for skipped in getattr(error, "skipped", []):
            typer.echo(f"  skipped: {item_detail(asdict(skipped), 'en', roster)}", err=True)
        _fail(f"{error.code}: {message(error.code, 'en')}")
    except OSError as error:
        _fail(f"cannot reach the database ({type(error).__name__})")
    except Exception as error:  # one line for the operator, never a traceback
        _fail(f"failed: {type(error).__name__} (is the database up to date? run 'pix-orga db upgrade')")


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the latest revision."""
    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: WORKERS)")] = None,
) -> None:
    """Serve the API with uvicorn (uvloop, httptools)."""
    from api.middleware import configure_logging

    settings = _settings()
    configure_logging()
    uvicorn.run(
        "api.asgi:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        loop="uvloop",
        timeout_graceful_shutdown=30,
        **UVICORN_OPTIONS,
    )


@app.command()
def worker() -> None:
    """Send queued e-mails and webhooks (run it apart with OUTBOX_IN_PROCESS=false; any number may run)."""
    from api.middleware import configure_logging

    settings = _settings()
    configure_logging()

    async def work() -> None:
        async with _database(settings) as engine:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signal_number, stop.set)
            await asyncio.gather(
                build_dispatcher(settings, engine).run_forever(stop),
                build_webhook_dispatcher(settings, engine).run_forever(stop),
            )

    typer.echo("outbox worker started", err=True)
    asyncio.run(work())
    typer.echo("outbox worker stopped", err=True)


@users_app.command("create-support")
def create_support(
    email: Annotated[str, typer.Option(help="E-mail address, used to log in")],
    first_name: Annotated[str, typer.Option(help="First name")],
    last_name: Annotated[str, typer.Option(help="Last name")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
) -> None:
    """Create a user with the SUPPORT role. The password is never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            _fail("the two passwords differ")
    settings = _settings()

    async def create() -> int:
        async with _database(settings) as engine:
            use_case = CreateSupportUser(lambda: SqlUnitOfWork(engine), Argon2PasswordHasher(), SystemClock())
            user = await use_case(
                CreateSupportUserCommand(
                    email=email, first_name=first_name, last_name=last_name, password=password
                )
            )
            return user.id

    user_id = _run(create())
    typer.echo(f"support user created: id {user_id}")


def _use_cases(settings: Settings, engine: AsyncEngine) -> UseCases:
    return build_use_cases(settings, engine, build_limiter(settings), SystemClock())


@organizations_app.command("create")
def create_organization(
    name: Annotated[str, typer.Option(help="Name, e.g. 'Lycée Pix'")],
    type_: Annotated[OrganizationType, typer.Option("--type", help="SCO, SUP or PRO")],
    uai: Annotated[str | None, typer.Option(help="UAI (7 digits and a letter), required for SCO")] = None,
    email: Annotated[str | None, typer.Option(help="The official mailbox")] = None,
    managing_students: Annotated[bool, typer.Option("--managing-students", help="Imports SIECLE")] = False,
) -> None:
    """Create an organization (audited with actor `cli`)."""
    settings = _settings()

    async def create() -> int:
        async with _database(settings) as engine:
            organization = await _use_cases(settings, engine).get(CreateOrganization)(
                None,
                CreateOrganizationCommand(
                    name=name, type=type_, uai=uai, email=email, is_managing_students=managing_students
                ),
            )
            return organization.id

    typer.echo(f"organization created: id {_run(create())}")


@organizations_app.command("invite")
def invite_organization(
    org_id: Annotated[int, typer.Argument(help="Organization id")],
    email: Annotated[str | None, typer.Option(help="Default: the organization's e-mail")] = None,
    locale: Annotated[str, typer.Option(help="fr or en")] = "fr",
) -> None:
    """Send the activation invitation (ADMIN) of step 1; sent by the outbox worker."""
    settings = _settings()

    async def invite() -> int:
        async with _database(settings) as engine:
            invitation = await _use_cases(settings, engine).get(SendActivationInvitation)(
                None, SendActivationInvitationCommand(organization_id=org_id, email=email, locale=locale)
            )
            return invitation.invitation.id

    typer.echo(f"activation invitation queued: id {_run(invite())}")


@students_app.command("import")
def import_students(
    org_id: Annotated[int, typer.Argument(help="Organization id")],
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="SIECLE XML or zip, CSV or JSON roster"
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the report, write nothing")] = False,
    confirm_disable: Annotated[
        bool, typer.Option("--confirm-disable", help="Confirm a large number of students disabled")
    ] = False,
) -> None:
    """Import a SIECLE export (XML or zip) or a CSV or JSON roster, audited with actor `cli`; prints
    the same report as the API."""
    settings = _settings()
    size = file.stat().st_size

    async def run() -> ImportReport:
        async with _database(settings) as engine:
            with (
                typer.progressbar(length=size, label="Reading", file=sys.stderr) as bar,
                file.open("rb") as stream,
            ):
                read_so_far = 0

                def progress(done: int) -> None:
                    nonlocal read_so_far
                    bar.update(done - read_so_far)
                    read_so_far = done

                reader = _ProgressReader(
                    StudentUploadReader(
                        settings.import_max_upload_bytes,
                        settings.import_max_xml_bytes,
                        settings.import_max_students,
                    ),
                    progress,
                )
                cases = build_use_cases(
                    settings, engine, build_limiter(settings), SystemClock(), siecle_reader=reader
                )
                return await cases.get(ImportStudents)(
                    None,
                    ImportStudentsCommand(
                        organization_id=org_id,
                        receive=lambda: _received(Upload(stream, file.name)),
                        dry_run=dry_run,
                        confirm_disable=confirm_disable,
                    ),
                )

    try:
        report = _run(run())
    except typer.Exit:
        raise
    _print_report(report)


class _ProgressReader:
    """Reads the file as the server's reader does, once the import may start, moving the
    operator's progress bar as it goes."""

    def __init__(self, reader: StudentUploadReader, progress: Callable[[int], None]) -> None:
        self._reader = reader
        self._progress = progress

    def read(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        return self._reader.read(stream, self._progress)


async def _received(upload: Upload) -> Upload:
    return upload


def _print_report(report: ImportReport) -> None:
    counts = report.counts.as_dict()
    title = "dry run (nothing written)" if report.dry_run else f"import {report.id} {report.status}"
    title += f" ({report.format})"
    typer.echo(f"{title}: " + ", ".join(f"{name} {value}" for name, value in counts.items()))
    if report.requires_confirmation:
        typer.echo("confirmation needed: run again with --confirm-disable")
    roster = report.format != "SIECLE_XML"
    for skipped in report.report.skipped:
        typer.echo(f"skipped: {item_detail(asdict(skipped), 'en', roster)}")
    for warning in report.warnings:
        typer.echo(f"warning: {item_detail(asdict(warning), 'en', roster)}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
