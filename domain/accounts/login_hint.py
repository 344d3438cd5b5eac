"""Obfuscated login hints, shown when a student is already attached to an account.

Business rule (docs/rules.md, Identity matching step 6): the hint lets the pupil recognise their
own login without handing it to whoever typed their names. An e-mail keeps the first character of
its local part and the whole domain: ``john.harry@example.net`` → ``j***@example.net``. A username
keeps, for each dot-separated part, its first character, and the last character of the whole
login: ``first.last0112`` → ``f***.l***2``; ``alan.turing2306`` → ``a***.t***6``. A username
without a dot follows the same rule: ``eleve0511`` → ``e***1``. A login of one character gives
``x***``: the stars always stand in, so the hint never shows a whole login.
"""

from __future__ import annotations

from typing import Final

_HIDDEN: Final = "***"


def obfuscate_login(login: str) -> str:
    """The hint for an e-mail (contains ``@``) or a username."""
    local_part, at, domain = login.rpartition("@")
    if at:
        return f"{local_part[:1]}{_HIDDEN}@{domain}"
    *leading_parts, last_part = login.split(".")
    hidden_parts = [f"{part[:1]}{_HIDDEN}" for part in leading_parts]
    last_character = last_part[-1:] if len(last_part) > 1 else ""
    hidden_parts.append(f"{last_part[:1]}{_HIDDEN}{last_character}")
    return ".".join(hidden_parts)
