"""Password policy: 8 to 255 characters, with an upper-case letter, a lower-case letter and a digit."""

from __future__ import annotations

from domain.accounts.errors import InvalidPassword

MIN_LENGTH = 8
MAX_LENGTH = 255


def check_password_policy(password: str) -> None:
    """Raise ``InvalidPassword`` unless the password follows the policy.

    "Upper" and "lower" follow Unicode, so ``Élève2024`` is accepted as a French user expects.
    """
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidPassword()
    if not any(c.isupper() for c in password):
        raise InvalidPassword()
    if not any(c.islower() for c in password):
        raise InvalidPassword()
    if not any(c.isdigit() for c in password):
        raise InvalidPassword()
