"""Builds the webhook adapters and dispatcher from the settings (for the composition root,
``api/bootstrap.py``, and the ``pix-orga worker`` command)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.webhooks.ports import AddressResolver
from infrastructure.settings import Settings
from infrastructure.webhooks.dispatcher import WebhookDispatcher
from infrastructure.webhooks.resolver import SystemResolver
from infrastructure.webhooks.secrets import FernetSecretCipher
from infrastructure.webhooks.sender import HttpWebhookSender

RESOLVE_TIMEOUT_SECONDS = 5.0


def build_resolver(settings: Settings) -> AddressResolver:
    return SystemResolver(min(RESOLVE_TIMEOUT_SECONDS, settings.webhook_timeout_seconds))


def build_webhook_dispatcher(
    settings: Settings, engine: AsyncEngine, *, resolver: AddressResolver | None = None
) -> WebhookDispatcher:
    """The dispatcher of the webhook deliveries in ``engine``'s database; ``resolver`` replaces the
    system's (tests)."""
    sender = HttpWebhookSender(
        resolver or build_resolver(settings),
        timeout=settings.webhook_timeout_seconds,
        allow_private_addresses=settings.webhook_allow_private_addresses,
    )
    return WebhookDispatcher(
        engine,
        sender,
        FernetSecretCipher(settings.secret_key),
        lease=timedelta(seconds=settings.webhook_lease_seconds),
    )
