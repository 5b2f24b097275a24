"""aws:SourceIp is the socket's peer; X-Forwarded-For counts only from trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from sekisho.api.dispatch import source_ip


def scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"client": (peer, 5555), "headers": headers}


PROXY = (ipaddress.ip_network("10.0.0.0/8"),)


def test_peer_address_without_trusted_proxies() -> None:
    assert source_ip(scope("203.0.113.7", "198.51.100.1"), ()) == "203.0.113.7"


def test_forwarded_header_from_untrusted_peer_is_ignored() -> None:
    assert source_ip(scope("203.0.113.7", "198.51.100.1"), PROXY) == "203.0.113.7"


def test_forwarded_header_from_trusted_proxy_gives_the_client() -> None:
    assert source_ip(scope("10.1.2.3", "198.51.100.1"), PROXY) == "198.51.100.1"


def test_spoofed_hops_before_the_last_untrusted_one_are_ignored() -> None:
    # The client may write anything into the header; only the hop the proxy saw counts.
    got = source_ip(scope("10.1.2.3", "1.1.1.1, 198.51.100.1, 10.9.9.9"), PROXY)
    assert got == "198.51.100.1"


@pytest.mark.parametrize("garbage", ["not-an-ip", "198.51.100.1, <script>"])
def test_malformed_forwarded_header_falls_back_to_the_peer(garbage: str) -> None:
    assert source_ip(scope("10.1.2.3", garbage), PROXY) == "10.1.2.3"


def test_ipv6_peer() -> None:
    assert source_ip(scope("::1"), ()) == "::1"
