"""The decisions behind the invitation e-mail limits, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.organizations.invitation_sending import EmailAllowance, email_allowance
from domain.organizations.ports import SentEmails
from domain.organizations.request_sco_activation import (
    DAILY_LIMIT_REACHED,
    SENT_RECENTLY,
    reason_to_send_nothing,
)

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
SOME_LEFT = EmailAllowance(left=1, retry_after=1)
NONE_LEFT = EmailAllowance(left=0, retry_after=60)


@pytest.mark.parametrize(
    ("sent", "per_day", "expected"),
    [
        (SentEmails(0, None), 200, EmailAllowance(200, 86_400)),
        (SentEmails(199, NOW - timedelta(hours=23)), 200, EmailAllowance(1, 3_600)),
        (
            SentEmails(200, NOW - timedelta(hours=23, minutes=59, seconds=59, milliseconds=500)),
            200,
            EmailAllowance(0, 1),
        ),
        (SentEmails(250, NOW - timedelta(hours=1)), 200, EmailAllowance(0, 23 * 3_600)),
    ],
    ids=["none sent", "one left", "a slot frees within a second", "cap lowered below what was sent"],
)
def test_email_allowance(sent: SentEmails, per_day: int, expected: EmailAllowance) -> None:
    assert email_allowance(sent, per_day, NOW) == expected


@pytest.mark.parametrize(
    ("last_sent", "allowance", "reason"),
    [
        (None, SOME_LEFT, None),
        (NOW - timedelta(hours=25), SOME_LEFT, None),
        (NOW - timedelta(hours=23, minutes=59), SOME_LEFT, SENT_RECENTLY),
        (NOW - timedelta(minutes=1), NONE_LEFT, SENT_RECENTLY),
        (None, NONE_LEFT, DAILY_LIMIT_REACHED),
        (NOW - timedelta(days=2), NONE_LEFT, DAILY_LIMIT_REACHED),
    ],
    ids=[
        "never sent: send",
        "sent yesterday: send",
        "sent less than 24 hours ago: nothing",
        "recently sent wins over the cap",
        "no e-mail left today: nothing",
        "sent long ago but no e-mail left: nothing",
    ],
)
def test_an_activation_request_sends_only_to_a_quiet_mailbox_within_the_cap(
    last_sent: datetime | None, allowance: EmailAllowance, reason: str | None
) -> None:
    assert reason_to_send_nothing(last_sent, allowance, NOW) == reason
