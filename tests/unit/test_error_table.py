"""Rule 6: every domain error has one status, and every code has its sentence in both languages."""

import importlib
import pkgutil

import pytest

import domain
from api.errors import GENERIC_CODES, code_statuses, status_of
from api.messages import MESSAGES
from domain.errors import DomainError, all_error_classes

# Import every domain module so that every error class is known.
for module in pkgutil.walk_packages(domain.__path__, "domain."):
    importlib.import_module(module.name)

ERRORS = [cls for cls in all_error_classes() if cls is not DomainError]


@pytest.mark.parametrize("error_class", ERRORS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_domain_error_has_a_status_and_messages(error_class):
    assert status_of(error_class) is not None, f"{error_class.__name__} has no HTTP status in api/errors.py"
    assert error_class.code in MESSAGES, f"{error_class.code} has no message in api/messages.py"


@pytest.mark.parametrize("code", sorted(GENERIC_CODES))
def test_generic_codes_have_messages(code):
    assert code in MESSAGES


def test_one_code_one_status():
    seen: dict[str, set[int]] = {}
    for cls in ERRORS:
        seen.setdefault(cls.code, set()).add(status_of(cls) or 0)
    ambiguous = {code: statuses for code, statuses in seen.items() if len(statuses) > 1}
    assert not ambiguous


def test_messages_are_sentences_in_both_languages():
    for code, (french, english) in MESSAGES.items():
        assert french and english and french != english, code
    assert code_statuses()["LAST_ADMIN"] == 409
