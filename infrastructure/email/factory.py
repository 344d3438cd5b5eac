"""Builds the e-mail adapters and the outbox dispatcher from the settings (for the composition
root, ``api/bootstrap.py``, and the ``pix-orga worker`` command)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.notifications.email import EmailSender
from infrastructure.email.console import ConsoleEmailSender
from infrastructure.email.outbox_dispatcher import OutboxDispatcher
from infrastructure.email.rendering import JinjaEmailRenderer
from infrastructure.email.smtp import SmtpEmailSender
from infrastructure.settings import Settings


def build_email_sender(settings: Settings) -> EmailSender:
    """``EMAIL_BACKEND=smtp``: the SMTP adapter on ``SMTP_URL``; ``console``: standard output."""
    if settings.email_backend == "smtp":
        return SmtpEmailSender(settings.smtp_url, settings.email_from)
    return ConsoleEmailSender()


def build_dispatcher(
    settings: Settings, engine: AsyncEngine, *, sender: EmailSender | None = None
) -> OutboxDispatcher:
    """The dispatcher of the outbox in ``engine``'s database; ``sender`` replaces the one the
    settings choose (tests)."""
    return OutboxDispatcher(
        engine,
        sender if sender is not None else build_email_sender(settings),
        JinjaEmailRenderer(settings.pix_orga_url, settings.pix_app_url),
        max_attempts=settings.outbox_max_attempts,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
