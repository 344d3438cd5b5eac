"""Addresses typed or pasted into the invitation form (Invitations, "Addresses")."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.organizations.email_addresses import ParsedAddresses, normalise_email, parse_email_addresses
from domain.organizations.errors import TooManyEmails


@pytest.mark.parametrize(
    ("raw", "valid", "rejected"),
    [
        ("a@b.fr", ["a@b.fr"], []),
        ("a@b.fr, c@d.fr; e@f.fr g@h.fr\nI@J.FR", ["a@b.fr", "c@d.fr", "e@f.fr", "g@h.fr", "i@j.fr"], []),
        ("Nom <a@b.fr>; c@d.fr", ["a@b.fr", "c@d.fr"], []),
        ('"Nom, Prénom" <a@b.fr>, "Autre; Nom" <c@d.fr>', ["a@b.fr", "c@d.fr"], []),
        ("Jean Dupont <jean.dupont@ac-paris.fr>, Marie <m@x.fr>", ["jean.dupont@ac-paris.fr", "m@x.fr"], []),
        ("Dupont, Jean <j@x.fr>; Martin, Paul <p@x.fr>", ["j@x.fr", "p@x.fr"], []),
        ("Jean<j@x.fr>", ["j@x.fr"], []),
        ("  \tJohn.Harry@Example.NET  ", ["john.harry@example.net"], []),
        ("jo\u200bhn@exam\u200cple.net", ["john@example.net"], []),
        ("\ufeffa@b.fr\u2060, c\u00ad@d.fr\u200d", ["a@b.fr", "c@d.fr"], []),
        ("a@b.fr\u00a0c@d.fr", ["a@b.fr", "c@d.fr"], []),
        ("a@b.fr; A@B.FR, Nom <a@b.fr>\nc@d.fr a@b.fr", ["a@b.fr", "c@d.fr"], []),
        ("not-an-address, a@b.fr", ["a@b.fr"], ["not-an-address"]),
        ("a@b, @b.fr, a@@b.fr, a@b.fr", ["a@b.fr"], ["a@b", "@b.fr", "a@@b.fr"]),
        ("Jean <pas une adresse>, c@d.fr", ["c@d.fr"], ["Jean <pas une adresse>"]),
        ("Jean Dupont; c@d.fr", ["c@d.fr"], ["Jean", "Dupont"]),
        ("<a@b.fr, c@d.fr", ["c@d.fr"], ["<a@b.fr"]),
        ("oops, oops; oops", [], ["oops"]),
        ("a@localhost", [], ["a@localhost"]),
        ("", [], []),
        (" ,; \n ", [], []),
    ],
    ids=[
        "one address",
        "every separator",
        "name and address then a bare one",
        "quoted names holding separators",
        "mail client list",
        "last name comma first name, unquoted",
        "no space before the angle bracket",
        "trimmed and lower-cased",
        "zero-width characters inside an address",
        "BOM, word joiner, soft hyphen, zero-width joiner",
        "no-break space separates",
        "duplicates merged in first order",
        "garbage rejected, the rest kept",
        "malformed addresses",
        "bad address between angle brackets shown with its name",
        "a name without an address",
        "unclosed angle bracket",
        "rejected duplicates merged",
        "no dot in the domain",
        "empty",
        "only separators",
    ],
)
def test_parse_email_addresses(raw: str, valid: list[str], rejected: list[str]) -> None:
    assert parse_email_addresses(raw) == ParsedAddresses(valid, rejected)


def test_a_list_of_texts_is_read_as_one_list() -> None:
    parsed = parse_email_addresses(["a@b.fr", "Nom <C@d.fr>; a@b.fr", "nope"])

    assert parsed == ParsedAddresses(["a@b.fr", "c@d.fr"], ["nope"])


def test_a_text_does_not_run_into_the_next_one_of_a_list() -> None:
    parsed = parse_email_addresses(["Jean Dupont", "<j@x.fr>"])

    assert parsed == ParsedAddresses(["j@x.fr"], ["Jean", "Dupont"])


def test_rejected_entries_are_shown_as_typed_without_invisible_characters() -> None:
    parsed = parse_email_addresses("  Jé\u200bröme@@x.fr  ")

    assert parsed.rejected == ["Jéröme@@x.fr"]


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("John.Harry@Example.NET", "john.harry@example.net"),
        ("  a@b.fr\n", "a@b.fr"),
        ("a\u200b@b\u00ad.fr", "a@b.fr"),
        ("a@b", None),
        ("Nom <a@b.fr>", None),
        ("a@b.fr, c@d.fr", None),
        ("", None),
        ("   ", None),
    ],
)
def test_normalise_email(text: str, normalised: str | None) -> None:
    assert normalise_email(text) == normalised


@given(st.text())
def test_any_text_is_split_without_error_into_normalised_addresses(text: str) -> None:
    parsed = parse_email_addresses(text)

    assert len(set(parsed.valid)) == len(parsed.valid)
    assert len(set(parsed.rejected)) == len(parsed.rejected)
    for address in parsed.valid:
        assert address == address.lower().strip()
        assert normalise_email(address) == address


# Shapes that made the reading quadratic (each entry looked for among all those before it, each
# unclosed quote or angle bracket searched to the end of the text): the first three took 9 s to
# minutes at these sizes; the fourth only searched in C, 0.5 s.
HOSTILE_TEXTS = {
    "words without an address": " ".join(f"w{n}" for n in range(60_000)),
    "malformed addresses": " ".join(f"x{n}@" for n in range(40_000)),
    "quotes that never close": '"\\' * 100_000,
    "angle brackets that never close": "<" * 200_000,
}


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_reading_takes_time_in_proportion_to_the_text(text: str) -> None:
    # This thread's CPU time: a quadratic reading shows in it (9 s to minutes), a busy machine
    # much less, and the test servers' threads of this process not at all; the linear reading
    # takes well under a second on a quiet machine.
    started = time.thread_time()
    parse_email_addresses(text)

    assert time.thread_time() - started < 5


MAX = 3


@pytest.mark.parametrize(
    ("raw", "valid", "rejected"),
    [
        ("a@b.fr, c@d.fr; Nom <e@f.fr>", ["a@b.fr", "c@d.fr", "e@f.fr"], []),
        ("a@b.fr; nope; Jean Dupont <e@f.fr>", ["a@b.fr", "e@f.fr"], ["nope"]),
        (["a@b.fr", "c@d.fr", ""], ["a@b.fr", "c@d.fr"], []),
    ],
    ids=["as many addresses as allowed", "a display name is part of its entry", "as many texts as allowed"],
)
def test_up_to_the_cap_every_entry_is_read(
    raw: str | list[str], valid: list[str], rejected: list[str]
) -> None:
    assert parse_email_addresses(raw, max_entries=MAX) == ParsedAddresses(valid, rejected)


@pytest.mark.parametrize(
    "raw",
    [
        "a@b.fr, c@d.fr, e@f.fr, g@h.fr",
        "a@b.fr, a@b.fr, a@b.fr, a@b.fr",
        "a@b.fr nope c@d.fr nope2",
        "one two three four",
        ["a@b.fr", "c@d.fr", "", ""],
        ["a@b.fr, c@d.fr", "e@f.fr g@h.fr"],
    ],
    ids=[
        "four addresses",
        "duplicates count as typed",
        "rejected entries count",
        "a name of more words than the cap",
        "more texts than the cap",
        "entries counted over the texts",
    ],
)
def test_over_the_cap_the_request_is_refused(raw: str | list[str]) -> None:
    with pytest.raises(TooManyEmails) as refused:
        parse_email_addresses(raw, max_entries=MAX)

    assert refused.value.meta == {"max_emails": MAX}


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_the_reading_stops_at_the_cap(text: str) -> None:
    big = (text * (900_000 // len(text) + 1))[:900_000]
    started = time.perf_counter()
    with pytest.raises(TooManyEmails):
        parse_email_addresses(big, max_entries=200)

    assert time.perf_counter() - started < 0.5
