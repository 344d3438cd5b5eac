"""The e-mails' content: subjects, links, escaping, dates, mandatory sentences, fr and en."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest

from domain.notifications.email import (
    ACCOUNT_RECOVERY,
    ACTIVATION,
    EMAIL_KINDS,
    INVITATION,
    PASSWORD_RESET,
    WEBHOOK_DISABLED,
    RenderedEmail,
)
from infrastructure.email.rendering import SUBJECTS, JinjaEmailRenderer, format_date, normalise_locale

ORGA_URL = "https://orga.pix.test"
APP_URL = "https://app.pix.test"
CODE = "Zx9_-kQ3vLwT8mNpRsUyAb"  # URL-safe, as the service generates them

FOOTERS = {
    "fr": "Cet e-mail a été envoyé automatiquement, merci de ne pas y répondre.",
    "en": "This e-mail was sent automatically, please do not reply to it.",
}
SINGLE_USE = {"fr": "Ce lien est à usage unique", "en": "This link can be used only once"}
EXPIRY = {"fr": "28 décembre 2026", "en": "28 December 2026"}


class _Page(HTMLParser):
    """What a mail client sees: links with their text, the lang attribute, the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.lang: str | None = None
        self.text_parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "a":
            self._href = attributes.get("href")
            self._link_text = []
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._link_text.append(data)
        if not self._in_title:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def parse_html(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def renderer() -> JinjaEmailRenderer:
    return JinjaEmailRenderer(pix_orga_url=ORGA_URL, pix_app_url=APP_URL)


def invitation_params(**overrides: Any) -> dict[str, Any]:
    return {
        "to": "referent@ac-paris.fr",
        "organization_name": "Lycée Pix",
        "invitation_id": 42,
        "code": CODE,
        "expires_at": "2026-12-28T10:15:00+00:00",
        "role": "MEMBER",
    } | overrides


def reset_params(**overrides: Any) -> dict[str, Any]:
    return {
        "to": "prof@gmail.com",
        "token": "tok_abc-123",
        "app": "orga",
        "expires_at": "2026-12-28T10:15:00+00:00",
    } | overrides


def recovery_params(**overrides: Any) -> dict[str, Any]:
    return {
        "to": "ancien.eleve@example.net",
        "recovery_id": "8d3f1c2e-0000-4000-8000-000000000001",
        "code": CODE,
        "expires_at": "2026-12-28T10:15:00+00:00",
    } | overrides


LOCALES = ["fr", "en"]
INVITATION_KINDS = [INVITATION, ACTIVATION]


@pytest.mark.parametrize(
    ("kind", "locale", "subject"),
    [
        (INVITATION, "fr", "Invitation à rejoindre Pix Orga"),
        (INVITATION, "en", "Invitation to join Pix Orga"),
        (ACTIVATION, "fr", "Accès à votre espace Pix Orga"),
        (ACTIVATION, "en", "Access to your Pix Orga space"),
        (PASSWORD_RESET, "fr", "Demande de réinitialisation de mot de passe"),
        (PASSWORD_RESET, "en", "Password reset request"),
    ],
)
def test_subject_per_kind_and_locale(
    renderer: JinjaEmailRenderer, kind: str, locale: str, subject: str
) -> None:
    params = reset_params() if kind == PASSWORD_RESET else invitation_params()

    email = renderer.render(kind, locale, params)

    assert email.subject == subject
    assert email.to == params["to"]
    page = parse_html(email.html)
    assert page.lang == locale
    assert subject in page.text  # the heading, not only the <title>


@pytest.mark.parametrize("kind", INVITATION_KINDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_invitation_link_in_text_and_html(renderer: JinjaEmailRenderer, kind: str, locale: str) -> None:
    email = renderer.render(kind, locale, invitation_params())

    expected = f"{ORGA_URL}/rejoindre?invitation_id=42&code={CODE}"
    assert expected in email.text.splitlines()
    links = parse_html(email.html).links
    assert links, "the HTML has a real <a> button"
    assert {href for href, _ in links} == {expected}
    button_label = links[0][1]
    assert button_label
    assert button_label != expected


@pytest.mark.parametrize("kind", INVITATION_KINDS)
def test_code_is_url_encoded_in_the_link(renderer: JinjaEmailRenderer, kind: str) -> None:
    email = renderer.render(kind, "fr", invitation_params(code="a+b/c=d&e f"))

    expected = f"{ORGA_URL}/rejoindre?invitation_id=42&code=a%2Bb%2Fc%3Dd%26e%20f"
    assert expected in email.text
    assert {href for href, _ in parse_html(email.html).links} == {expected}


def test_trailing_slash_of_the_front_end_url_is_ignored() -> None:
    renderer = JinjaEmailRenderer(pix_orga_url=ORGA_URL + "/", pix_app_url=APP_URL + "/")

    invitation = renderer.render(INVITATION, "fr", invitation_params())
    reset = renderer.render(PASSWORD_RESET, "fr", reset_params(app="app"))

    assert f"{ORGA_URL}/rejoindre?" in invitation.text
    assert f"{APP_URL}/mot-de-passe-oublie?" in reset.text


@pytest.mark.parametrize("kind", INVITATION_KINDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_invitation_names_the_organization_escaped_in_html(
    renderer: JinjaEmailRenderer, kind: str, locale: str
) -> None:
    name = 'Lycée <script>alert("x")</script> & Cie'

    email = renderer.render(kind, locale, invitation_params(organization_name=name))

    assert name in email.text  # plain text is not HTML: no escaping there
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie" in email.html
    assert name in parse_html(email.html).text


@pytest.mark.parametrize("kind", INVITATION_KINDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_invitation_expiry_single_use_and_footer(
    renderer: JinjaEmailRenderer, kind: str, locale: str
) -> None:
    email = renderer.render(kind, locale, invitation_params())

    for body in (one_line(email.text), parse_html(email.html).text):
        assert EXPIRY[locale] in body
        assert SINGLE_USE[locale] in body
        assert FOOTERS[locale] in body
    assert email.text.rstrip().endswith(FOOTERS[locale])


@pytest.mark.parametrize(
    ("role", "fr", "en"),
    [
        ("ADMIN", "avec le rôle Administrateur", "with the Administrator role"),
        ("MEMBER", "avec le rôle Membre", "with the Member role"),
    ],
)
def test_team_invitation_states_the_role(renderer: JinjaEmailRenderer, role: str, fr: str, en: str) -> None:
    assert fr in renderer.render(INVITATION, "fr", invitation_params(role=role)).text
    assert en in renderer.render(INVITATION, "en", invitation_params(role=role)).text


def test_auto_role_invitation_states_no_role(renderer: JinjaEmailRenderer) -> None:
    email = renderer.render(INVITATION, "fr", invitation_params(role=None))

    assert "rôle" not in email.text
    assert "Lycée Pix vous invite à rejoindre son espace Pix Orga." in email.text


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("fr", "La personne qui utilisera ce lien deviendra administratrice"),
        ("en", "Whoever uses this link will become administrator"),
    ],
)
@pytest.mark.parametrize("role", ["ADMIN", None])
def test_activation_speaks_to_the_official_mailbox(
    renderer: JinjaEmailRenderer, locale: str, sentence: str, role: str | None
) -> None:
    email = renderer.render(ACTIVATION, locale, invitation_params(role=role))

    mailbox = "boîte officielle de l'établissement" if locale == "fr" else "official mailbox"
    for body in (one_line(email.text), parse_html(email.html).text):
        assert mailbox in body
        assert sentence in body


def test_activation_with_member_role_does_not_promise_administration(renderer: JinjaEmailRenderer) -> None:
    email = renderer.render(ACTIVATION, "fr", invitation_params(role="MEMBER"))

    assert "administratrice" not in email.text
    assert "avec le rôle Membre" in email.text


@pytest.mark.parametrize(("app", "base_url"), [("orga", ORGA_URL), ("app", APP_URL)])
@pytest.mark.parametrize("locale", LOCALES)
def test_password_reset_link_per_front_end(
    renderer: JinjaEmailRenderer, app: str, base_url: str, locale: str
) -> None:
    email = renderer.render(PASSWORD_RESET, locale, reset_params(app=app))

    expected = f"{base_url}/mot-de-passe-oublie?token=tok_abc-123"
    assert expected in email.text.splitlines()
    assert {href for href, _ in parse_html(email.html).links} == {expected}


@pytest.mark.parametrize(
    ("locale", "validity"),
    [("fr", "Il est valable une heure."), ("en", "It is valid for one hour.")],
)
def test_password_reset_is_single_use_for_one_hour(
    renderer: JinjaEmailRenderer, locale: str, validity: str
) -> None:
    email = renderer.render(PASSWORD_RESET, locale, reset_params())

    for body in (one_line(email.text), parse_html(email.html).text):
        assert SINGLE_USE[locale] in body
        assert validity in body
        assert FOOTERS[locale] in body


@pytest.mark.parametrize(
    ("locale", "validity"),
    [
        ("fr", "Il est valable 24 heures (jusqu'au 28 décembre 2026)."),
        ("en", "It is valid for 24 hours (until 28 December 2026)."),
    ],
)
def test_account_recovery_links_to_the_pupils_front_end_once_for_a_day(
    renderer: JinjaEmailRenderer, locale: str, validity: str
) -> None:
    email = renderer.render(ACCOUNT_RECOVERY, locale, recovery_params())

    expected = (
        f"{APP_URL}/recuperer-mon-compte?recovery_id=8d3f1c2e-0000-4000-8000-000000000001"
        f"&code={quote(CODE, safe='')}"
    )
    assert expected in email.text.splitlines()
    assert {href for href, _ in parse_html(email.html).links} == {expected}
    for body in (one_line(email.text), parse_html(email.html).text):
        assert validity in body
        assert FOOTERS[locale] in body


def test_password_reset_needs_no_expiry(renderer: JinjaEmailRenderer) -> None:
    params = reset_params()
    del params["expires_at"]

    assert "mot-de-passe-oublie" in renderer.render(PASSWORD_RESET, "fr", params).text


@pytest.mark.parametrize("locale", ["de", "", "xx-YY", "zh"])
def test_unknown_locale_falls_back_to_french(renderer: JinjaEmailRenderer, locale: str) -> None:
    email = renderer.render(INVITATION, locale, invitation_params())

    assert email.subject == "Invitation à rejoindre Pix Orga"
    assert parse_html(email.html).lang == "fr"


@pytest.mark.parametrize(
    ("locale", "expected"), [("en-GB", "en"), ("EN", "en"), ("fr_FR", "fr"), ("de", "fr")]
)
def test_locale_normalisation(locale: str, expected: str) -> None:
    assert normalise_locale(locale) == expected


@pytest.mark.parametrize(
    ("day", "fr", "en"),
    [
        (date(2026, 12, 28), "28 décembre 2026", "28 December 2026"),
        (date(2027, 1, 1), "1er janvier 2027", "1 January 2027"),
        (date(2027, 2, 3), "3 février 2027", "3 February 2027"),
        (date(2027, 8, 15), "15 août 2027", "15 August 2027"),
    ],
)
def test_dates_in_words(day: date, fr: str, en: str) -> None:
    assert format_date(day, "fr") == fr
    assert format_date(day, "en") == en


def test_expiry_date_is_the_day_written_in_the_timestamp(renderer: JinjaEmailRenderer) -> None:
    late_utc = renderer.render(INVITATION, "fr", invitation_params(expires_at="2026-12-28T23:30:00Z"))
    paris = renderer.render(INVITATION, "fr", invitation_params(expires_at="2026-12-29T00:30:00+01:00"))

    assert "28 décembre 2026" in late_utc.text
    assert "29 décembre 2026" in paris.text


def test_html_is_a_complete_document(renderer: JinjaEmailRenderer) -> None:
    html = renderer.render(INVITATION, "en", invitation_params()).html

    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "<title>Invitation to join Pix Orga</title>" in html
    assert "<style" not in html  # inline styles only: many clients drop <style> blocks


def test_text_bodies_hold_no_markup(renderer: JinjaEmailRenderer) -> None:
    for kind, params in (
        (INVITATION, invitation_params()),
        (ACTIVATION, invitation_params()),
        (PASSWORD_RESET, reset_params()),
        (ACCOUNT_RECOVERY, recovery_params()),
    ):
        for locale in LOCALES:
            text = renderer.render(kind, locale, params).text
            assert "<" not in text
            assert "{{" not in text
            assert "{%" not in text
            assert text.endswith("\n")
            assert not text.endswith("\n\n")


def test_every_kind_has_both_subjects() -> None:
    assert (
        set(SUBJECTS)
        == EMAIL_KINDS
        == {INVITATION, ACTIVATION, PASSWORD_RESET, ACCOUNT_RECOVERY, WEBHOOK_DISABLED}
    )
    assert all(set(subjects) == {"fr", "en"} for subjects in SUBJECTS.values())


def test_repr_hides_the_address_and_the_link(renderer: JinjaEmailRenderer) -> None:
    email = renderer.render(INVITATION, "fr", invitation_params())

    assert isinstance(email, RenderedEmail)
    assert "referent@ac-paris.fr" not in repr(email)
    assert CODE not in repr(email)


@pytest.mark.parametrize(
    ("kind", "params", "complaint"),
    [
        ("newsletter", invitation_params(), "unknown e-mail kind"),
        (INVITATION, invitation_params(code=""), "'code'"),
        (INVITATION, invitation_params(invitation_id="x"), "'invitation_id'"),
        (INVITATION, invitation_params(invitation_id=True), "'invitation_id'"),
        (INVITATION, invitation_params(expires_at="tomorrow"), "'expires_at'"),
        (INVITATION, invitation_params(role="OWNER"), "role"),
        (
            ACTIVATION,
            {k: v for k, v in invitation_params().items() if k != "organization_name"},
            "'organization_name'",
        ),
        (PASSWORD_RESET, reset_params(app="admin"), "app"),
        (PASSWORD_RESET, reset_params(to=""), "'to'"),
    ],
)
def test_bad_params_are_refused_with_a_clear_message(
    renderer: JinjaEmailRenderer, kind: str, params: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        renderer.render(kind, "fr", params)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_disabled_webhook_email_names_the_endpoint_and_its_host_only(
    renderer: JinjaEmailRenderer, locale: str
) -> None:
    params = {
        "to": "admin@ac-paris.fr",
        "organization_name": "Lycée Pix",
        "endpoint_id": 7,
        "host": "hooks.example",
    }
    email = renderer.render(WEBHOOK_DISABLED, locale, params)

    assert email.to == "admin@ac-paris.fr"
    assert email.subject == SUBJECTS[WEBHOOK_DISABLED][locale]
    for body in (email.text, email.html):
        assert "hooks.example" in body
        assert "7" in body
        assert "Lycée Pix" in body
