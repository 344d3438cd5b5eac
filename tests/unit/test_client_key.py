"""The key every per-address rate limit counts a client by."""

from __future__ import annotations

import pytest

from api.client_address import rate_limit_key


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("::ffff:192.0.2.10", "192.0.2.10"),  # a dual-stack socket's view of an IPv4 peer
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::1", "::/64"),
        ("testclient", "testclient"),  # not an IP address: kept as it is
    ],
)
def test_the_rate_limit_key_of_an_address(address, key):
    assert rate_limit_key(address) == key


def test_two_addresses_of_one_ipv6_subscriber_share_a_key_and_their_neighbours_do_not():
    assert rate_limit_key("2001:db8:aa:bb::1") == rate_limit_key("2001:db8:aa:bb:9:9:9:9")
    assert rate_limit_key("2001:db8:aa:bb::1") != rate_limit_key("2001:db8:aa:bc::1")
