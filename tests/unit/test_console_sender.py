"""The console adapter prints e-mails with their link, outside the logging system."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest

from domain.notifications.email import EmailSender, RenderedEmail
from infrastructure.email.console import ConsoleEmailSender

LINK = "http://localhost:4201/rejoindre?invitation_id=42&code=Zx9_-kQ3vLwT8mNpRsUyAb"


def make_email(to: str = "referent@ac-paris.fr") -> RenderedEmail:
    return RenderedEmail(
        to=to,
        subject="Invitation à rejoindre Pix Orga",
        text=f"Bonjour,\n\nPour accepter l'invitation, ouvrez ce lien :\n{LINK}\n",
        html=f'<p><a href="{LINK}">Accepter</a></p>',
    )


async def test_prints_recipient_subject_and_text_with_its_link() -> None:
    stream = io.StringIO()

    await ConsoleEmailSender(stream).send(make_email())

    output = stream.getvalue()
    assert "To:      referent@ac-paris.fr" in output
    assert "Subject: Invitation à rejoindre Pix Orga" in output
    assert LINK in output.splitlines()  # alone on its line: easy to copy from a terminal
    assert "<a href" not in output  # the HTML alternative is left out


async def test_writes_to_standard_output_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    await ConsoleEmailSender().send(make_email())

    captured = capsys.readouterr()
    assert LINK in captured.out
    assert captured.err == ""


async def test_never_goes_through_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    await ConsoleEmailSender(io.StringIO()).send(make_email())

    assert caplog.records == []


async def test_concurrent_e_mails_do_not_interleave() -> None:
    stream = io.StringIO()
    sender = ConsoleEmailSender(stream)
    recipients = [f"prof{i}@example.net" for i in range(20)]

    await asyncio.gather(*(sender.send(make_email(to)) for to in recipients))

    blocks = [block for block in stream.getvalue().split("\n\n" + "=" * 72) if block.strip()]
    assert len(blocks) == 20
    for block in blocks:
        assert sum(to in block for to in recipients) == 1
        assert LINK in block


def test_satisfies_the_port() -> None:
    sender: EmailSender = ConsoleEmailSender(io.StringIO())
    assert sender is not None
