"""The SMTP adapter against a real SMTP server (aiosmtpd) on loopback, started by each test.

Also, first, the pure reading of ``SMTP_URL`` (no server needed).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from domain.notifications.email import EmailDeliveryError, EmailSender, RenderedEmail
from infrastructure.email.smtp import SmtpConfig, SmtpEmailSender, parse_smtp_url
from tests.support.smtp import PortReadingController

EMAIL_FROM = "Pix Orga - Ne pas répondre <ne-pas-repondre@pix.fr>"
LINK = "http://localhost:4201/rejoindre?invitation_id=42&code=Zx9_-kQ3vLwT8mNpRsUyAb"
USER = "relay-user"
PASSWORD = "p@ss:wörd/%"  # characters that must be percent-encoded in the URL
PASSWORD_IN_URL = "p%40ss%3Aw%C3%B6rd%2F%25"


# --- SMTP_URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", SmtpConfig("127.0.0.1", 1025, use_tls=False, start_tls=False)),
        ("smtp://mail.example.org", SmtpConfig("mail.example.org", 25, use_tls=False, start_tls=False)),
        ("SMTP://Mail.Example.org:587/", SmtpConfig("mail.example.org", 587, use_tls=False, start_tls=False)),
        ("smtp://mail.example.org:587?starttls=true", SmtpConfig("mail.example.org", 587, False, True)),
        ("smtp://mail.example.org:587?starttls=FALSE", SmtpConfig("mail.example.org", 587, False, False)),
        ("smtps://mail.example.org", SmtpConfig("mail.example.org", 465, use_tls=True, start_tls=False)),
        ("smtp://[::1]:1025", SmtpConfig("::1", 1025, use_tls=False, start_tls=False)),
        (
            f"smtps://{USER}:{PASSWORD_IN_URL}@mail.example.org:465",
            SmtpConfig("mail.example.org", 465, True, False, username=USER, password=PASSWORD),
        ),
    ],
)
def test_parse_smtp_url(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://mail.example.org", "must start with smtp:// or smtps://"),
        ("mail.example.org:25", "must start with smtp:// or smtps://"),
        ("smtp://", "no host"),
        ("smtp://:25", "no host"),
        ("smtp://mail.example.org:abc", "invalid port"),
        ("smtp://mail.example.org:0", "invalid port"),
        ("smtp://mail.example.org:70000", "invalid port"),
        ("smtp://mail.example.org:25/relay", "must not have a path"),
        ("smtp://mail.example.org:25?start_tls=true", "unknown option 'start_tls'"),
        ("smtp://mail.example.org:25?starttls=maybe", "starttls must be true or false"),
        ("smtps://mail.example.org?starttls=true", "cannot use both"),
        ("smtp://user@mail.example.org", "user:password@"),
        ("smtp://:secret@mail.example.org", "user:password@"),
    ],
)
def test_parse_smtp_url_refuses_with_a_clear_message(url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_smtp_url(url)


def test_parse_errors_and_repr_never_show_the_password() -> None:
    with pytest.raises(ValueError, match="path") as caught:
        parse_smtp_url("smtp://user:s3cr3t@mail.example.org:25/path")
    assert "s3cr3t" not in str(caught.value)

    config = parse_smtp_url("smtp://user:s3cr3t@mail.example.org:587?starttls=true")
    assert "s3cr3t" not in repr(config)
    assert config.redacted_url == "smtp://user:***@mail.example.org:587?starttls=true"


@pytest.mark.parametrize("email_from", ["", "not an address", "a@b.fr, c@d.fr", "Pix <pix@>"])
def test_invalid_email_from_is_refused_at_construction(email_from: str) -> None:
    with pytest.raises(ValueError, match="EMAIL_FROM"):
        SmtpEmailSender("smtp://127.0.0.1:1025", email_from)


# --- a real SMTP server -----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    over_tls: bool

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Mailbox:
    """aiosmtpd handler that keeps what it receives, or answers the configured refusals."""

    rcpt_reply: str | None = None
    data_reply: str | None = None
    mail_reply: str | None = None
    received: list[Received] = field(default_factory=list)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        over_tls = server.transport.get_extra_info("ssl_object") is not None
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, over_tls)
        )
        return "250 Message accepted for delivery"


@dataclass
class Server:
    mailbox: Mailbox
    port: int
    auth_attempts: list[tuple[str, bool]]

    def url(self, scheme: str = "smtp", credentials: str = "", query: str = "") -> str:
        return f"{scheme}://{credentials}127.0.0.1:{self.port}{query}"


@contextmanager
def smtp_server(mailbox: Mailbox | None = None, **smtp_options: Any) -> Iterator[Server]:
    mailbox = mailbox or Mailbox()
    auth_attempts: list[tuple[str, bool]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        auth_attempts.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    if smtp_options.pop("with_auth", False):
        smtp_options["authenticator"] = authenticator
    controller = PortReadingController(mailbox, hostname="127.0.0.1", port=0, **smtp_options)
    controller.start()
    try:
        yield Server(mailbox, controller.port, auth_attempts)
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def invitation(to: str = "referent@ac-paris.fr") -> RenderedEmail:
    href = LINK.replace("&", "&amp;")
    return RenderedEmail(
        to=to,
        subject="Invitation à rejoindre Pix Orga",
        text=f"Bonjour,\n\nLycée Pix vous invite.\n{LINK}\n\nCe lien est à usage unique.\n",
        html=f'<!DOCTYPE html><html lang="fr"><body><a href="{href}">Accepter</a></body></html>',
    )


def crlf_to_lf(content: str) -> str:
    return content.replace("\r\n", "\n")


# --- delivery ---------------------------------------------------------------------------------


async def test_plain_smtp_delivers_a_well_formed_multipart_message() -> None:
    sent = invitation()
    with smtp_server() as server:
        sender: EmailSender = SmtpEmailSender(server.url(), EMAIL_FROM, timeout=5)
        await sender.send(sent)

    [received] = server.mailbox.received
    assert received.mail_from == "ne-pas-repondre@pix.fr"
    assert received.rcpt_tos == ["referent@ac-paris.fr"]
    assert not received.over_tls

    message = received.message()
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Invitation à rejoindre Pix Orga"
    assert message["To"] == "referent@ac-paris.fr"
    [sender_address] = message["From"].addresses
    assert sender_address.display_name == "Pix Orga - Ne pas répondre"
    assert sender_address.addr_spec == "ne-pas-repondre@pix.fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith("<")
    assert message["Message-ID"].endswith("@pix.fr>")
    assert abs(message["Date"].datetime - datetime.now(UTC)) < timedelta(minutes=1)

    text_part, html_part = message.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    for part in (text_part, html_part):
        assert part.get_content_charset() == "utf-8"
    assert crlf_to_lf(text_part.get_content()) == sent.text
    assert crlf_to_lf(html_part.get_content()).rstrip("\n") == sent.html

    headers, _, body = received.content.partition(b"\r\n\r\n")
    assert headers.isascii(), "non-ASCII header values are RFC 2047 encoded"
    assert body.isascii(), "bodies are quoted-printable, safe through any relay"
    assert b"=?utf-8?" in headers


async def test_starttls_upgrades_and_verifies_the_certificate(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with smtp_server(tls_context=server_tls, require_starttls=True) as server:
        sender = SmtpEmailSender(
            server.url(query="?starttls=true"), EMAIL_FROM, timeout=5, tls_context=client_tls
        )
        await sender.send(invitation())

    [received] = server.mailbox.received
    assert received.over_tls
    assert received.message()["Subject"] == "Invitation à rejoindre Pix Orga"


async def test_implicit_tls(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with smtp_server(ssl_context=server_tls) as server:
        sender = SmtpEmailSender(server.url("smtps"), EMAIL_FROM, timeout=5, tls_context=client_tls)
        await sender.send(invitation())

    [received] = server.mailbox.received
    assert received.over_tls


async def test_auth_login_over_starttls(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with smtp_server(
        tls_context=server_tls,
        require_starttls=True,
        with_auth=True,
        auth_required=True,
        auth_exclude_mechanism=["PLAIN"],
    ) as server:
        url = server.url(credentials=f"{USER}:{PASSWORD_IN_URL}@", query="?starttls=true")
        await SmtpEmailSender(url, EMAIL_FROM, timeout=5, tls_context=client_tls).send(invitation())

    assert server.auth_attempts == [("LOGIN", True)]
    assert len(server.mailbox.received) == 1


async def test_auth_plain_over_implicit_tls(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    # aiosmtpd only counts STARTTLS as TLS for AUTH; this connection is TLS from the first byte.
    with smtp_server(
        ssl_context=server_tls,
        with_auth=True,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    ) as server:
        url = server.url("smtps", credentials=f"{USER}:{PASSWORD_IN_URL}@")
        await SmtpEmailSender(url, EMAIL_FROM, timeout=5, tls_context=client_tls).send(invitation())

    assert server.auth_attempts == [("PLAIN", True)]
    assert len(server.mailbox.received) == 1


async def test_wrong_password_is_a_temporary_error(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with smtp_server(
        tls_context=server_tls, require_starttls=True, with_auth=True, auth_required=True
    ) as server:
        url = server.url(credentials=f"{USER}:wrong@", query="?starttls=true")
        with pytest.raises(EmailDeliveryError) as caught:
            await SmtpEmailSender(url, EMAIL_FROM, timeout=5, tls_context=client_tls).send(invitation())

    assert not caught.value.permanent  # an operator fixes SMTP_URL, the queued e-mails then go out
    assert caught.value.smtp_code == 535
    assert "wrong" not in str(caught.value)
    assert server.auth_attempts
    assert not any(ok for _, ok in server.auth_attempts)
    assert server.mailbox.received == []


# --- failures ---------------------------------------------------------------------------------


async def test_recipient_refused_with_550_is_permanent() -> None:
    mailbox = Mailbox(rcpt_reply="550 5.1.1 <referent@ac-paris.fr>: Recipient address rejected")
    with smtp_server(mailbox) as server, pytest.raises(EmailDeliveryError) as caught:
        await SmtpEmailSender(server.url(), EMAIL_FROM, timeout=5).send(invitation())

    assert caught.value.permanent
    assert caught.value.smtp_code == 550
    assert "referent@ac-paris.fr" not in str(caught.value)
    assert caught.value.__suppress_context__  # the cause, which names the address, is not shown


async def test_recipient_refused_with_4xx_is_temporary() -> None:
    mailbox = Mailbox(rcpt_reply="450 4.2.0 Mailbox busy, try again later")
    with smtp_server(mailbox) as server, pytest.raises(EmailDeliveryError) as caught:
        await SmtpEmailSender(server.url(), EMAIL_FROM, timeout=5).send(invitation())

    assert not caught.value.permanent
    assert caught.value.smtp_code == 450


async def test_content_refused_with_554_is_permanent() -> None:
    mailbox = Mailbox(data_reply="554 5.7.1 Message rejected")
    with smtp_server(mailbox) as server, pytest.raises(EmailDeliveryError) as caught:
        await SmtpEmailSender(server.url(), EMAIL_FROM, timeout=5).send(invitation())

    assert caught.value.permanent
    assert caught.value.smtp_code == 554


async def test_sender_refused_is_temporary_as_it_is_a_setting() -> None:
    mailbox = Mailbox(mail_reply="553 5.7.1 Sender address rejected")
    with smtp_server(mailbox) as server, pytest.raises(EmailDeliveryError, match="EMAIL_FROM") as caught:
        await SmtpEmailSender(server.url(), EMAIL_FROM, timeout=5).send(invitation())

    assert not caught.value.permanent


async def test_no_server_listening_is_temporary() -> None:
    # A bound socket that does not listen: connections to its port are refused, and no other
    # process can take the port while the test runs.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with pytest.raises(EmailDeliveryError) as caught:
            await SmtpEmailSender(f"smtp://127.0.0.1:{port}", EMAIL_FROM, timeout=5).send(invitation())

    assert not caught.value.permanent
    assert caught.value.smtp_code is None
    assert f"127.0.0.1:{port}" in str(caught.value)


async def test_silent_server_times_out_as_temporary() -> None:
    connected = asyncio.Event()

    async def say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        await reader.read()  # until the client gives up and closes
        writer.close()

    silent = await asyncio.start_server(say_nothing, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        with pytest.raises(EmailDeliveryError, match="did not answer in time") as caught:
            await SmtpEmailSender(f"smtp://127.0.0.1:{port}", EMAIL_FROM, timeout=0.2).send(invitation())
    finally:
        silent.close()
        await silent.wait_closed()

    assert connected.is_set()
    assert not caught.value.permanent


async def test_untrusted_certificate_is_refused(server_tls: ssl.SSLContext) -> None:
    with smtp_server(tls_context=server_tls, require_starttls=True) as server:
        sender = SmtpEmailSender(server.url(query="?starttls=true"), EMAIL_FROM, timeout=5)  # system trust
        with pytest.raises(EmailDeliveryError) as caught:
            await sender.send(invitation())

    assert not caught.value.permanent
    assert server.mailbox.received == []


async def test_starttls_asked_but_not_offered_is_refused() -> None:
    with smtp_server() as server, pytest.raises(EmailDeliveryError, match="STARTTLS") as caught:
        await SmtpEmailSender(server.url(query="?starttls=true"), EMAIL_FROM, timeout=5).send(invitation())

    assert not caught.value.permanent
    assert server.mailbox.received == []


@pytest.mark.parametrize("to", ["not-an-address", "a@b.fr\r\nBcc: spy@example.net", "a@b.fr, c@d.fr"])
async def test_bad_recipient_is_permanent_and_never_reaches_the_server(to: str) -> None:
    # Nothing listens on the URL: reaching the network would give a temporary error instead.
    with pytest.raises(EmailDeliveryError) as caught:
        await SmtpEmailSender("smtp://127.0.0.1:9", EMAIL_FROM, timeout=5).send(invitation(to))

    assert caught.value.permanent
