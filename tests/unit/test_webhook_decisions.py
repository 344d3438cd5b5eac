"""The pure rules of webhooks: addresses, URLs, retries, disabling. Milliseconds, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.webhooks.decisions import (
    FAILING_PERIOD,
    check_addresses,
    is_public_address,
    next_attempt_after_failure,
    retry_delay,
    should_disable,
    webhook_target,
)
from domain.webhooks.errors import InvalidWebhookUrl

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space (CGNAT)
        "100.127.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "192.0.2.10",  # documentation
        "198.18.0.1",  # benchmarking
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "fec0::1",  # site-local
        "2001:db8::1",  # documentation
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo of 10.0.0.1
        "not an address",
        "",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_are_accepted(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "NOT_HTTPS"),
        ("ftp://hooks.example.com/x", "MALFORMED"),
        ("hooks.example.com/x", "MALFORMED"),
        ("https:///x", "MALFORMED"),
        ("https://user:pass@hooks.example.com/x", "MALFORMED"),
        ("https://hooks.example.com/x#fragment", "MALFORMED"),
        ("https://hooks.example.com:99999/x", "MALFORMED"),
        ("https://hooks.example.com/a b", "MALFORMED"),
        ("https://hooks.example.com/\r\nHost: evil", "MALFORMED"),
        ("https://127.0.0.1/x", "NON_PUBLIC_ADDRESS"),
        ("https://[::1]/x", "NON_PUBLIC_ADDRESS"),
        ("https://169.254.169.254/latest", "NON_PUBLIC_ADDRESS"),
        ("https://10.1.2.3:8443/x", "NON_PUBLIC_ADDRESS"),
        ("https://hooks.example.com/" + "a" * 2048, "TOO_LONG"),
    ],
)
def test_urls_refused(url: str, reason: str) -> None:
    with pytest.raises(InvalidWebhookUrl) as refused:
        webhook_target(url, allow_private=False)
    assert refused.value.meta == {"reason": reason}


def test_an_https_url_gives_its_host_and_port() -> None:
    assert webhook_target("https://Hooks.Example.com./x?y=1", allow_private=False) == (
        webhook_target("https://hooks.example.com:443/x", allow_private=False)
    )
    target = webhook_target("https://[2606:4700:4700::1111]:8443/x", allow_private=False)
    assert (target.scheme, target.host, target.port) == ("https", "2606:4700:4700::1111", 8443)


def test_private_addresses_and_http_when_allowed() -> None:
    target = webhook_target("http://127.0.0.1:8080/hooks", allow_private=True)
    assert (target.scheme, target.host, target.port) == ("http", "127.0.0.1", 8080)
    assert check_addresses(["127.0.0.1", "10.0.0.1"], allow_private=True) == ["127.0.0.1", "10.0.0.1"]


def test_every_resolved_address_must_be_public() -> None:
    assert check_addresses(["8.8.8.8", "8.8.8.8", "1.1.1.1"], allow_private=False) == ["8.8.8.8", "1.1.1.1"]
    for addresses, reason in (([], "UNRESOLVABLE"), (["8.8.8.8", "10.0.0.1"], "NON_PUBLIC_ADDRESS")):
        with pytest.raises(InvalidWebhookUrl) as refused:
            check_addresses(addresses, allow_private=False)
        assert refused.value.reason == reason


def test_retries_double_from_30_seconds_up_to_an_hour_with_at_most_10_percent_jitter() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert retry_delay(1, jitter=1.0) == timedelta(seconds=33)
    assert retry_delay(1, jitter=5.0) == timedelta(seconds=33)
    assert retry_delay(10_000) == timedelta(hours=1)


def test_a_delivery_is_retried_until_it_is_three_days_old() -> None:
    assert next_attempt_after_failure(T0, 1, T0) == T0 + timedelta(seconds=30)
    late = T0 + FAILING_PERIOD - timedelta(seconds=1)
    assert next_attempt_after_failure(T0, 40, late) == late + timedelta(hours=1)
    assert next_attempt_after_failure(T0, 41, T0 + FAILING_PERIOD) is None


def test_an_endpoint_is_disabled_after_three_days_of_failures() -> None:
    assert not should_disable(None, T0)
    assert not should_disable(T0, T0 + timedelta(days=3) - timedelta(seconds=1))
    assert should_disable(T0, T0 + timedelta(days=3))
