"""E-mail rendering with Jinja2: one text and one HTML template per kind and locale.

Templates live in ``templates/<locale>/<kind>.txt|.html``; the HTML ones share
``templates/_layout.html`` and ``templates/_macros.html``. Subjects are here, beside the
parameter checks, so that a test can list them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.notifications.email import (
    ACCOUNT_RECOVERY,
    ACTIVATION,
    INVITATION,
    PASSWORD_RESET,
    WEBHOOK_DISABLED,
    RenderedEmail,
)

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"
SUPPORTED_LOCALES: Final = ("fr", "en")
DEFAULT_LOCALE: Final = "fr"

SUBJECTS: Final[Mapping[str, Mapping[str, str]]] = {
    INVITATION: {"fr": "Invitation à rejoindre Pix Orga", "en": "Invitation to join Pix Orga"},
    ACTIVATION: {"fr": "Accès à votre espace Pix Orga", "en": "Access to your Pix Orga space"},
    PASSWORD_RESET: {
        "fr": "Demande de réinitialisation de mot de passe",
        "en": "Password reset request",
    },
    ACCOUNT_RECOVERY: {"fr": "Récupération de votre compte Pix", "en": "Recovering your Pix account"},
    WEBHOOK_DISABLED: {
        "fr": "Un webhook de votre organisation a été désactivé",
        "en": "A webhook of your organization was disabled",
    },
}

_FRENCH_MONTHS: Final = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_ENGLISH_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_INVITATION_ROLES: Final = frozenset({"ADMIN", "MEMBER", None})


def normalise_locale(locale: str | None) -> str:
    """``fr``, ``en``, ``en-GB``, ``FR_fr`` → a supported language; anything else → French."""
    language = (locale or "").replace("_", "-").split("-", 1)[0].strip().lower()
    return language if language in SUPPORTED_LOCALES else DEFAULT_LOCALE


def format_date(day: date, locale: str) -> str:
    """The date in words, without depending on the system's locales: ``1er janvier 2027``,
    ``28 December 2026``."""
    if normalise_locale(locale) == "en":
        return f"{day.day} {_ENGLISH_MONTHS[day.month - 1]} {day.year}"
    day_number = "1er" if day.day == 1 else str(day.day)
    return f"{day_number} {_FRENCH_MONTHS[day.month - 1]} {day.year}"


class JinjaEmailRenderer:
    """Renders the e-mails of ``domain.notifications.email`` (implements ``EmailRenderer``).

    The expiry date shown is the calendar date of ``expires_at`` in the offset it is written
    with: the caller chooses the time zone. A UTC timestamp never shows a later day than the
    one seen in metropolitan France, so the e-mail never promises a day on which the link has
    already expired there.
    """

    def __init__(self, pix_orga_url: str, pix_app_url: str) -> None:
        self._front_ends = {"orga": _base_url(pix_orga_url), "app": _base_url(pix_app_url)}
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )

    def render(self, kind: str, locale: str, params: Mapping[str, Any]) -> RenderedEmail:
        language = normalise_locale(locale)
        if kind in (INVITATION, ACTIVATION):
            context = self._invitation_context(params, language)
        elif kind == PASSWORD_RESET:
            context = self._password_reset_context(params)
        elif kind == ACCOUNT_RECOVERY:
            context = self._account_recovery_context(params, language)
        elif kind == WEBHOOK_DISABLED:
            context = {
                "organization_name": _required_text(params, "organization_name"),
                "endpoint_id": _required_id(params, "endpoint_id"),
                "host": _required_text(params, "host"),
                "link": self._front_ends["orga"],
            }
        else:
            raise ValueError(f"unknown e-mail kind: {kind!r}")
        subject = SUBJECTS[kind][language]
        context |= {"subject": subject, "lang": language}
        text = self._env.get_template(f"{language}/{kind}.txt").render(context)
        html = self._env.get_template(f"{language}/{kind}.html").render(context)
        return RenderedEmail(
            to=_required_text(params, "to"), subject=subject, text=_tidy_text(text), html=html
        )

    def _invitation_context(self, params: Mapping[str, Any], language: str) -> dict[str, Any]:
        invitation_id = _required_id(params, "invitation_id")
        code = _required_text(params, "code")
        role = params.get("role")
        if role not in _INVITATION_ROLES:
            raise ValueError(f"invalid invitation role: {role!r}")
        expires_at = _required_timestamp(params, "expires_at")
        return {
            "organization_name": _required_text(params, "organization_name"),
            "role": role,
            "link": f"{self._front_ends['orga']}/rejoindre?invitation_id={invitation_id}"
            f"&code={quote(code, safe='')}",
            "expires_on": format_date(expires_at.date(), language),
        }

    def _password_reset_context(self, params: Mapping[str, Any]) -> dict[str, Any]:
        token = _required_text(params, "token")
        app = params.get("app")
        if app not in self._front_ends:
            raise ValueError(f"invalid app for a password reset: {app!r} (expected 'orga' or 'app')")
        return {"link": f"{self._front_ends[app]}/mot-de-passe-oublie?token={quote(token, safe='')}"}

    def _account_recovery_context(self, params: Mapping[str, Any], language: str) -> dict[str, Any]:
        recovery_id = _required_text(params, "recovery_id")
        code = _required_text(params, "code")
        expires_at = _required_timestamp(params, "expires_at")
        return {
            "link": f"{self._front_ends['app']}/recuperer-mon-compte"
            f"?recovery_id={quote(recovery_id, safe='')}&code={quote(code, safe='')}",
            "expires_on": format_date(expires_at.date(), language),
        }


def _base_url(url: str) -> str:
    return url.rstrip("/")


def _tidy_text(text: str) -> str:
    return text.strip() + "\n"


def _required_text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"e-mail parameter {name!r} must be a non-empty string")
    return value


def _required_id(params: Mapping[str, Any], name: str) -> int:
    value = params.get(name)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"e-mail parameter {name!r} must be an integer id")


def _required_timestamp(params: Mapping[str, Any], name: str) -> datetime:
    value = params.get(name)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"e-mail parameter {name!r} must be an ISO 8601 timestamp")
