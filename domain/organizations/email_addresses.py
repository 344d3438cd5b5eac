"""E-mail addresses typed or pasted into the invitation form, and single addresses at sign-up.

Business rule (domain-rules.md, Invitations, "Addresses"): addresses are separated by commas,
semicolons, spaces or new lines, and may come as ``Name <a@b.fr>`` or ``"Nom, Prénom" <a@b.fr>``
(pasted from a mail client). Each is trimmed, lower-cased, stripped of invisible characters and
checked; duplicates are merged, the first occurrence keeping its place. Bad entries are returned
as typed (trimmed, invisible characters removed) so that the user sees what to fix; the good ones
are still invited.

How a pasted list is read:

- Invisible characters (Unicode format characters: zero-width spaces and joiners, word joiner,
  byte-order mark, soft hyphen, direction marks) are removed first, wherever they are, so that
  one inside an address does not break it. Other Unicode spaces (no-break space…) separate
  entries like a space.
- Words without ``@`` and quoted strings directly before an ``<address>`` are its display name and
  are dropped. Commas and spaces may appear inside a display name (``Dupont, Jean <j@x.fr>``), so
  only a semicolon, a new line or another address ends one; words left without an address are
  rejected one by one.
- A ``"…"`` or ``<…>`` without its closing character is read as ordinary text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from email_validator import EmailNotValidError, validate_email

_SOFT_SEPARATORS: Final = ","
_HARD_SEPARATORS: Final = ";\n\r"

_TokenKind = Literal["word", "quoted", "angle", "hard_separator"]


@dataclass(frozen=True)
class ParsedAddresses:
    """``valid``: normalised addresses, without duplicates, in first-seen order.

    ``rejected``: the entries that are not addresses, as typed, without duplicates.
    """

    valid: list[str]
    rejected: list[str]


@dataclass(frozen=True)
class _Token:
    kind: _TokenKind
    start: int
    end: int
    text: str


def parse_email_addresses(raw: str | Sequence[str]) -> ParsedAddresses:
    """Split a pasted list (or a list of such texts) into valid addresses and rejected entries."""
    texts = [raw] if isinstance(raw, str) else list(raw)
    valid: list[str] = []
    rejected: list[str] = []
    for text in texts:
        for entry, address in _entries(_remove_invisible(text)):
            if address is None:
                if entry not in rejected:
                    rejected.append(entry)
            elif address not in valid:
                valid.append(address)
    return ParsedAddresses(valid, rejected)


def normalise_email(text: str) -> str | None:
    """One address, trimmed, without invisible characters, lower-cased; ``None`` when not valid."""
    return _validated(_remove_invisible(text).strip())


def _remove_invisible(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _validated(candidate: str) -> str | None:
    if not candidate:
        return None
    try:
        checked = validate_email(candidate.lower(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def _entries(text: str) -> Iterator[tuple[str, str | None]]:
    """Each entry as (trimmed original text, normalised address or ``None`` when rejected)."""
    pending_name: list[_Token] = []

    def reject_pending() -> Iterator[tuple[str, str | None]]:
        for token in pending_name:
            yield token.text.strip(), None
        pending_name.clear()

    for token in _tokens(text):
        if token.kind == "hard_separator":
            yield from reject_pending()
        elif token.kind == "angle":
            start = pending_name[0].start if pending_name else token.start
            pending_name.clear()
            yield text[start : token.end].strip(), _validated(token.text[1:-1].strip())
        elif token.kind == "word" and "@" in token.text:
            yield from reject_pending()
            yield token.text, _validated(token.text)
        else:
            pending_name.append(token)
    yield from reject_pending()


def _tokens(text: str) -> Iterator[_Token]:
    position = 0
    while position < len(text):
        char = text[position]
        if char in _HARD_SEPARATORS:
            yield _Token("hard_separator", position, position + 1, char)
            position += 1
        elif char in _SOFT_SEPARATORS or char.isspace():
            position += 1
        elif char == '"' and (quote_end := _closing_quote(text, position)) is not None:
            yield _Token("quoted", position, quote_end, text[position:quote_end])
            position = quote_end
        elif char == "<" and (closing := text.find(">", position + 1)) != -1:
            yield _Token("angle", position, closing + 1, text[position : closing + 1])
            position = closing + 1
        else:
            word_end = _word_end(text, position)
            yield _Token("word", position, word_end, text[position:word_end])
            position = word_end


def _closing_quote(text: str, opening: int) -> int | None:
    """The index just after the quote closing the one at ``opening`` (``\\"`` escapes a quote)."""
    position = opening + 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text[position] == '"':
            return position + 1
        else:
            position += 1
    return None


def _word_end(text: str, start: int) -> int:
    position = start + 1
    while position < len(text):
        char = text[position]
        if char in _SOFT_SEPARATORS or char in _HARD_SEPARATORS or char.isspace() or char in '"<':
            break
        position += 1
    return position
