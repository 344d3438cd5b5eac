"""E-mail addresses typed or pasted into the invitation form, and single addresses at sign-up.

Business rule (Invitations, "Addresses"): addresses are separated by commas, semicolons, spaces or
new lines, and may come as ``Name <a@b.fr>`` or ``"Nom, Prénom" <a@b.fr>`` (pasted from a mail
client). Each is trimmed, lower-cased, stripped of invisible characters and checked; duplicates are
merged, the first occurrence keeping its place. Bad entries are returned as typed (trimmed,
invisible characters removed) so that the user sees what to fix; the good ones are still invited.

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

The text comes from anyone who may invite, up to the request's size cap: reading it takes time in
proportion to its length (every character is looked at a bounded number of times), and
``max_entries`` stops the reading at the first entry over the cap.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

from email_validator import EmailNotValidError, validate_email

from domain.organizations.errors import TooManyEmails

_HARD_SEPARATORS: Final = frozenset(";\n\r")
# A run of separators and spaces; it ends a display name when it holds a hard separator.
_SEPARATORS: Final = re.compile(r"[,;\s]+")
_WORD_END: Final = re.compile(r'[,;\s"<]')
# A quoted string up to its closing quote; a backslash escapes the next character.
_QUOTED: Final = re.compile(r'"(?:[^"\\]|\\.)*+"', re.DOTALL)
# Longer than any address the validator accepts (254 octets): refused without asking it.
_MAX_ADDRESS_LENGTH: Final = 320

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


def parse_email_addresses(raw: str | Sequence[str], *, max_entries: int | None = None) -> ParsedAddresses:
    """Split a pasted list (or a list of such texts) into valid addresses and rejected entries.

    More than ``max_entries`` entries (every address or rejected entry found, duplicates
    included) raises ``TooManyEmails``, as do a list of more than ``max_entries`` texts and a
    display name of more than ``max_entries`` words (that many rejected words unless an address
    follows, and no real name in either case): the reading stops there."""
    texts = [raw] if isinstance(raw, str) else list(raw)
    if max_entries is not None and len(texts) > max_entries:
        raise TooManyEmails(meta={"max_emails": max_entries})
    valid: dict[str, None] = {}
    rejected: dict[str, None] = {}
    found = 0
    for text in texts:
        for entry, address in _entries(_remove_invisible(text), max_entries):
            found += 1
            if max_entries is not None and found > max_entries:
                raise TooManyEmails(meta={"max_emails": max_entries})
            if address is None:
                rejected.setdefault(entry)
            else:
                valid.setdefault(address)
    return ParsedAddresses(list(valid), list(rejected))


def normalise_email(text: str) -> str | None:
    """One address, trimmed, without invisible characters, lower-cased; ``None`` when not valid."""
    return _validated(_remove_invisible(text).strip())


@cache
def _invisible_characters() -> re.Pattern[str]:
    invisible = (chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    return re.compile("[" + "".join(invisible) + "]")


def _remove_invisible(text: str) -> str:
    if text.isascii():  # no format character below U+00AD
        return text
    return _invisible_characters().sub("", text)


def _validated(candidate: str) -> str | None:
    if not candidate or len(candidate) > _MAX_ADDRESS_LENGTH:
        return None
    try:
        checked = validate_email(candidate.lower(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def _entries(text: str, max_name_words: int | None) -> Iterator[tuple[str, str | None]]:
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
            if max_name_words is not None and len(pending_name) > max_name_words:
                raise TooManyEmails(meta={"max_emails": max_name_words})
    yield from reject_pending()


def _tokens(text: str) -> Iterator[_Token]:
    # Once no closing character is found after some position, none is found after a later one:
    # remembering it keeps a text of unclosed quotes or angle brackets linear.
    no_closing_quote_after = len(text)
    no_closing_angle_after = len(text)
    position = 0
    while position < len(text):
        char = text[position]
        if (separators := _SEPARATORS.match(text, position)) is not None:
            run = separators.group()
            if not _HARD_SEPARATORS.isdisjoint(run):
                yield _Token("hard_separator", position, separators.end(), run)
            position = separators.end()
            continue
        if char == '"' and position < no_closing_quote_after:
            quote_end = _closing_quote(text, position)
            if quote_end is not None:
                yield _Token("quoted", position, quote_end, text[position:quote_end])
                position = quote_end
                continue
            no_closing_quote_after = position
        elif char == "<" and position < no_closing_angle_after:
            closing = text.find(">", position + 1)
            if closing != -1:
                yield _Token("angle", position, closing + 1, text[position : closing + 1])
                position = closing + 1
                continue
            no_closing_angle_after = position
        word_end = _word_end(text, position)
        yield _Token("word", position, word_end, text[position:word_end])
        position = word_end


def _closing_quote(text: str, opening: int) -> int | None:
    """The index just after the quote closing the one at ``opening`` (``\\"`` escapes a quote).

    When there is none, every later quote is escaped: a search from any of them fails too."""
    found = _QUOTED.match(text, opening)
    return found.end() if found is not None else None


def _word_end(text: str, start: int) -> int:
    found = _WORD_END.search(text, start + 1)
    return found.start() if found is not None else len(text)
