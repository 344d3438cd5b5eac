"""SMTP adapter of the ``EmailSender`` port, with aiosmtplib.

``SMTP_URL`` forms: ``smtp://host:port`` (plain, or upgraded with ``?starttls=true``),
``smtps://host:port`` (implicit TLS), each with optional ``user:password@`` (percent-encoded).
Certificates are always verified; tests pass their own trust context.
"""

from __future__ import annotations

import email.errors
import email.policy
import email.utils
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

from domain.notifications.email import EmailDeliveryError, RenderedEmail

DEFAULT_PORTS: Final = {"smtp": 25, "smtps": 465}
_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class SmtpConfig:
    hostname: str
    port: int
    use_tls: bool
    """Implicit TLS from the first byte (``smtps://``)."""
    start_tls: bool
    """Plain connection upgraded with STARTTLS, which the server must offer."""
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def redacted_url(self) -> str:
        """The URL without the credentials, safe to print or log."""
        scheme = "smtps" if self.use_tls else "smtp"
        user = f"{self.username}:***@" if self.username is not None else ""
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        query = "?starttls=true" if self.start_tls else ""
        return f"{scheme}://{user}{host}:{self.port}{query}"


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read ``SMTP_URL``; ``ValueError`` with a message that never repeats the password."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise ValueError("SMTP_URL is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(
            f"SMTP_URL must start with smtp:// or smtps:// (got {scheme + '://' if scheme else 'no scheme'})"
        )
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host (expected smtp://host:port)")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("SMTP_URL has an invalid port (expected a number from 1 to 65535)") from None
    if port == 0:
        raise ValueError("SMTP_URL has an invalid port (expected a number from 1 to 65535)")
    if parts.path not in ("", "/"):
        raise ValueError("SMTP_URL must not have a path (expected smtp://host:port)")
    if parts.fragment:
        raise ValueError("SMTP_URL must not have a fragment")

    start_tls = False
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name != "starttls":
            raise ValueError(f"SMTP_URL has an unknown option {name!r} (the only option is starttls)")
        if value.lower() in _TRUE:
            start_tls = True
        elif value.lower() in _FALSE:
            start_tls = False
        else:
            raise ValueError(f"SMTP_URL option starttls must be true or false (got {value!r})")
    use_tls = scheme == "smtps"
    if use_tls and start_tls:
        raise ValueError("SMTP_URL cannot use both smtps:// (implicit TLS) and starttls=true")

    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if (username is None) != (password is None) or username == "":
        raise ValueError("SMTP_URL credentials must be given as user:password@ (both parts)")

    return SmtpConfig(
        hostname=parts.hostname,
        port=port if port is not None else DEFAULT_PORTS[scheme],
        use_tls=use_tls,
        start_tls=start_tls,
        username=username,
        password=password,
    )


def parse_mailbox(value: str, what: str) -> Address:
    """One address, optionally with a display name: ``Name <local@domain>``; ``what`` names the
    value in the error message."""
    try:
        header = email.policy.default.header_factory("To", value)
        addresses = header.addresses
    except (ValueError, IndexError, email.errors.HeaderParseError):
        raise ValueError(f"{what} is not a valid e-mail address") from None
    if header.defects or len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise ValueError(f"{what} must be exactly one valid e-mail address")
    address: Address = addresses[0]
    return address


class SmtpEmailSender:
    """Sends each e-mail over its own SMTP connection (implements ``EmailSender``)."""

    def __init__(
        self,
        smtp_url: str,
        email_from: str,
        timeout: float = 10,
        *,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._config = parse_smtp_url(smtp_url)
        self._sender = parse_mailbox(email_from, "EMAIL_FROM")
        self._timeout = timeout
        self._tls_context = tls_context

    @property
    def config(self) -> SmtpConfig:
        return self._config

    def _message(self, rendered: RenderedEmail, recipient: Address) -> EmailMessage:
        """The MIME message: multipart/alternative, text then HTML, UTF-8.

        Quoted-printable keeps the bodies 7-bit, so relays without 8BITMIME pass them intact
        while they stay readable in the raw source.
        """
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = recipient
        message["Subject"] = rendered.subject
        message["Date"] = email.utils.format_datetime(datetime.now(UTC))
        message["Message-ID"] = email.utils.make_msgid(domain=self._sender.domain)
        # RFC 3834: out-of-office robots must not answer an address nobody reads.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
        return message

    async def send(self, email: RenderedEmail) -> None:
        try:
            recipient = parse_mailbox(email.to, "To")
            message = self._message(email, recipient)
        except ValueError:
            raise EmailDeliveryError(
                "the e-mail cannot be built: invalid recipient address or header", permanent=True
            ) from None
        config = self._config
        try:
            await aiosmtplib.send(
                message,
                sender=self._sender.addr_spec,
                recipients=[recipient.addr_spec],
                hostname=config.hostname,
                port=config.port,
                use_tls=config.use_tls,
                start_tls=config.start_tls,
                username=config.username,
                password=config.password,
                tls_context=self._tls_context,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            # ``from None``: the original error may echo the recipient's address.
            raise _delivery_error(exc, config, recipient_is_ascii=recipient.addr_spec.isascii()) from None


def _delivery_error(exc: Exception, config: SmtpConfig, *, recipient_is_ascii: bool) -> EmailDeliveryError:
    server = f"{config.hostname}:{config.port}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in exc.recipients]
        code = codes[0] if codes else None
        return EmailDeliveryError(
            f"the SMTP server refused the recipient ({code})",
            permanent=bool(codes) and all(_is_permanent(c) for c in codes),
            smtp_code=code,
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return EmailDeliveryError(
            f"the SMTP server refused the recipient ({exc.code})",
            permanent=_is_permanent(exc.code),
            smtp_code=exc.code,
        )
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return EmailDeliveryError(
            f"the SMTP server refused the message ({exc.code})",
            permanent=_is_permanent(exc.code),
            smtp_code=exc.code,
        )
    # The sender and the credentials are the same for every e-mail: an operator fixes the
    # settings and the queued e-mails go out, so these are never permanent.
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return EmailDeliveryError(
            f"the SMTP server refused the sender address ({exc.code}): check EMAIL_FROM",
            permanent=False,
            smtp_code=exc.code,
        )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return EmailDeliveryError(
            f"SMTP authentication failed ({exc.code}): check the credentials of SMTP_URL",
            permanent=False,
            smtp_code=exc.code,
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return EmailDeliveryError(
            f"the SMTP server answered {exc.code} ({type(exc).__name__})",
            permanent=False,
            smtp_code=exc.code,
        )
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        # A non-ASCII address needs SMTPUTF8: this server will never accept this recipient.
        return EmailDeliveryError(
            f"the SMTP server does not support what is needed: {exc.message}",
            permanent=not recipient_is_ascii,
        )
    if isinstance(exc, TimeoutError):
        return EmailDeliveryError(f"the SMTP server {server} did not answer in time", permanent=False)
    if isinstance(exc, ssl.SSLError):
        return EmailDeliveryError(f"TLS with the SMTP server {server} failed: {exc}", permanent=False)
    if isinstance(exc, aiosmtplib.SMTPConnectError):
        return EmailDeliveryError(f"cannot reach the SMTP server {server} ({exc.message})", permanent=False)
    if isinstance(exc, aiosmtplib.SMTPException):
        return EmailDeliveryError(f"SMTP with {server} failed: {exc.message}", permanent=False)
    return EmailDeliveryError(f"cannot reach the SMTP server {server}: {exc}", permanent=False)


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600
