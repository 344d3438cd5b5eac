"""Typed settings read from the environment (and an optional ``.env``), validated at start.

Every setting has a default that works for ``make run``; production refuses the unsafe ones.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from limits import parse_many
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-secret-key-change-me-in-production"  # noqa: S105 (a known placeholder)
PLACEHOLDER_SECRETS = frozenset({"", DEVELOPMENT_SECRET_KEY, "changeme", "change-me", "secret"})

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./var/pix-orga.db"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    trusted_proxies: CommaList = []
    access_token_ttl_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    max_request_bytes: int = Field(default=1_000_000, ge=1_000)
    email_backend: Literal["console", "smtp"] = "console"
    smtp_url: str = "smtp://127.0.0.1:1025"
    email_from: str = "Pix Orga - Ne pas répondre <ne-pas-repondre@pix.fr>"
    outbox_in_process: bool = True
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    outbox_lease_seconds: int = Field(default=300, ge=1, le=24 * 3600)
    """How long a claimed outbox e-mail stays reserved to the worker that claimed it; a worker
    killed mid-batch leaves its e-mails to the others after this. Keep it longer than a batch can
    take (20 e-mails x the 10-second SMTP timeout): a send that outlives its lease may be repeated."""
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    """A delivery must be answered with a 2xx within this many seconds (connection included)."""
    webhook_allow_private_addresses: bool = False
    """Allow webhook URLs in http and on loopback, private, link-local or other non-public
    addresses: for development and tests only (a webhook could otherwise reach internal services)."""
    webhook_lease_seconds: int = Field(default=120, ge=1, le=24 * 3600)
    """How long a claimed webhook delivery stays reserved to the worker that claimed it; keep it
    longer than a batch takes (16 at a time, each at most WEBHOOK_TIMEOUT_SECONDS)."""
    pix_orga_url: str = "http://localhost:4201"
    pix_app_url: str = "http://localhost:4200"
    cors_origins: CommaList = ["http://localhost:4201", "http://localhost:4200"]
    rate_limit_storage_url: str = "memory://"
    rate_limits_enabled: bool = True
    login_failures_per_login_and_address: str = "10/15minutes"
    login_failures_per_login: str = "100/hour"
    login_failures_per_address: str = "300/15minutes"
    match_failures_per_name: str = "20/hour"
    match_failures_per_address: str = "300/10minutes"
    password_reset_requests_per_address: str = "30/hour"  # noqa: S105 (a limit, not a secret)
    password_reset_requests_per_email: str = "5/hour"  # noqa: S105
    sco_activation_requests_per_address: str = "10/hour"
    signups_per_address: str = "20/hour"
    """Sign-ups (``POST /users``) per client address: each costs a password hash on the cores that
    serve logins. Enough for a staff room behind one address, not for a script."""
    account_recovery_requests_per_address: str = "10/hour"
    """Account-recovery requests (``POST /account-recoveries``) per client address, whatever their
    outcome: a pupil who has left asks from home, not from a school's shared address."""
    account_recovery_emails_per_account: str = "3/day"
    account_recovery_emails_per_email: str = "3/day"
    """Recovery e-mails per account, and per address they go to: an anonymous caller cannot make
    the service send e-mails without bound."""
    api_client_requests_per_client: str = "600/minute"
    """Requests an API client's tokens may make (every route counts), per client."""
    api_client_tokens_per_client: str = "30/minute"
    """Tokens a client may obtain (each is good for ``ACCESS_TOKEN_TTL_MINUTES``)."""
    api_client_token_failures_per_address: str = "300/15minutes"  # noqa: S105 (a limit)
    """Failed client authentications at ``POST /auth/token``, per client address."""
    invitations_per_day: int = Field(default=200, ge=1)
    invitation_emails_per_request: int = Field(default=200, ge=1, le=10_000)
    invitation_ttl_days: int = Field(default=30, ge=1, le=365)
    import_max_upload_bytes: int = Field(default=20_000_000, ge=1_000)
    import_max_xml_bytes: int = Field(default=200_000_000, ge=1_000)
    import_max_students: int = Field(default=20_000, ge=1)
    """``<ELEVE>`` entries a SIECLE file may hold (the largest lycées have about 4,000 pupils)."""
    import_disable_threshold: float = Field(default=0.5, ge=0, le=1)
    metrics_allowed_ips: CommaList = ["127.0.0.1", "::1"]

    @field_validator("trusted_proxies", "cors_origins", "metrics_allowed_ips", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("trusted_proxies", "metrics_allowed_ips")
    @classmethod
    def _ip_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as error:
                raise ValueError(f"not an IP address or a CIDR range (10.0.0.0/8): {entry!r}") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgres://", "postgresql+asyncpg://")):
            raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
        return value

    @field_validator(
        "login_failures_per_login_and_address",
        "login_failures_per_login",
        "login_failures_per_address",
        "match_failures_per_name",
        "match_failures_per_address",
        "password_reset_requests_per_address",
        "password_reset_requests_per_email",
        "sco_activation_requests_per_address",
        "signups_per_address",
        "account_recovery_requests_per_address",
        "account_recovery_emails_per_account",
        "account_recovery_emails_per_email",
        "api_client_requests_per_client",
        "api_client_tokens_per_client",
        "api_client_token_failures_per_address",
    )
    @classmethod
    def _rate_limit_expression(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit such as '10/15minutes': {value!r}") from error
        return value

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _rate_limit_storage(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://")):
            raise ValueError("RATE_LIMIT_STORAGE_URL must be memory:// or redis://…")
        return value

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment == "production":
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of 32 characters or more in production"
                )
            if self.email_backend == "console":
                raise ValueError(
                    "EMAIL_BACKEND=console prints e-mails to standard output: refused in production"
                )
        if self.email_backend == "smtp":
            from infrastructure.email.smtp import parse_smtp_url

            parse_smtp_url(self.smtp_url)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
