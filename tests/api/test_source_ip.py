"""aws:SourceIp is the socket's peer; X-Forwarded-For counts only from trusted proxies."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.api.dispatch import source_ip
from tests.support.server import RunningServer, run_server


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


# --- through the running server


def _only_from(net: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": net}}}]})


def _user_client(server: RunningServer, name: str, forwarded: str) -> Any:
    """A user allowed ListUsers only from 203.0.113.0/24, whose client claims that address."""
    root = server.client("iam")
    root.create_user(UserName=name)
    root.put_user_policy(UserName=name, PolicyName="from-doc-net",
                         PolicyDocument=_only_from("203.0.113.0/24"))
    created = root.create_access_key(UserName=name)["AccessKey"]
    client = server.client("iam", (created["AccessKeyId"], created["SecretAccessKey"]))

    def claim(request: Any, **_: Any) -> None:
        request.headers["X-Forwarded-For"] = forwarded

    client.meta.events.register("before-sign.iam.ListUsers", claim)
    return client


def test_server_ignores_forwarded_header_when_no_proxy_is_trusted(
        server: RunningServer, unique: str) -> None:
    client = _user_client(server, f"xff-{unique}", "203.0.113.9")
    with pytest.raises(ClientError) as exc:
        client.list_users()
    assert exc.value.response["Error"]["Code"] == "AccessDenied"


def test_server_takes_the_client_address_from_a_trusted_proxy(tmp_path: Path) -> None:
    with run_server(tmp_path / "data", extra_env={
            "SEKISHO_TRUSTED_PROXIES": "127.0.0.1/32"}) as proxied:
        client = _user_client(proxied, "behind-proxy", "203.0.113.9")
        assert "Users" in client.list_users()
