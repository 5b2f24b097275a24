"""Bad input and faults around STS: broken tokens, expiry edges, oversize and invalid parameters.

Every case gets AWS's error, and a refused AssumeRole leaves nothing behind
(the role's RoleLastUsed is not touched).
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.auth.credentials import CredentialResolver
from sekisho.domain import sessions, sts
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.errors import ExpiredToken
from sekisho.store.changes import change_watch_for
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store
from tests.api.test_access_keys import make_user_key
from tests.api.test_assume_role import allow, make_role, trust, user_allowed_to_assume
from tests.api.test_decode_authorization_message import server_state
from tests.api.test_sts_sessions import session_client
from tests.api.test_users import error_of
from tests.support.server import RunningServer

INVALID_STS = ("InvalidClientTokenId", 403,
               "The security token included in the request is invalid.")
INVALID_IAM = ("InvalidClientTokenId", 403, "The security token included in the request is invalid")
EXPIRED = ("ExpiredToken", 403, "The security token included in the request is expired")


def root_claims(account: str) -> dict[str, Any]:
    return {"kind": sessions.ROOT_SESSION, "arn": f"arn:aws:iam::{account}:root",
            "user_id": account, "source_arn": f"arn:aws:iam::{account}:root",
            "source_id": account}


def minted(server: RunningServer, issued: datetime, seconds: int) -> dict[str, Any]:
    """Credentials sealed with the server's own key ring, issued at `issued`."""
    account = server.client("sts").get_caller_identity()["Account"]
    with server_state(server) as opened:
        ring = sessions.KeyRing(opened.store, opened.box, change_watch_for(opened.store.engine))
        issued_creds = sts.seal(ring, account, issued, seconds, **root_claims(account))
    return issued_creds.credentials()


def rejected(server: RunningServer, service: str, creds: dict[str, Any]) -> tuple[str, int, str]:
    client = session_client(server, service, creds)
    with pytest.raises(ClientError) as exc:
        if service == "sts":
            client.get_caller_identity()
        else:
            client.list_users()
    return error_of(exc)


# --- tokens


@pytest.fixture
def fresh(server: RunningServer) -> dict[str, Any]:
    return dict(server.client("sts").get_session_token()["Credentials"])


@pytest.mark.parametrize("keep", [1, 8, 20, 43, 100, -1])
def test_truncated_token_is_invalid_token(server: RunningServer, fresh: dict[str, Any],
                                          keep: int) -> None:
    fresh["SessionToken"] = fresh["SessionToken"][:keep]
    assert rejected(server, "sts", fresh) == INVALID_STS


@pytest.mark.parametrize("token", [
    pytest.param("this is not a token", id="text"),
    pytest.param("U0sx" + "A" * 200, id="right-magic-garbage-body"),
    pytest.param("////" * 50, id="base64-garbage"),
    pytest.param("é" * 10, id="non-ascii"),
])
def test_malformed_token_is_invalid_token_for_both_services(
        server: RunningServer, fresh: dict[str, Any], token: str) -> None:
    fresh["SessionToken"] = token
    assert rejected(server, "sts", fresh) == INVALID_STS
    assert rejected(server, "iam", fresh) == INVALID_IAM


def test_token_with_inner_white_space_is_invalid(server: RunningServer, fresh: dict[str, Any]
                                                ) -> None:
    token = fresh["SessionToken"]
    fresh["SessionToken"] = token[:50] + " " + token[50:]
    assert rejected(server, "sts", fresh)[0] == "InvalidClientTokenId"


def test_temporary_key_without_its_token_is_invalid(server: RunningServer,
                                                    fresh: dict[str, Any]) -> None:
    client = server.client("sts", (fresh["AccessKeyId"], fresh["SecretAccessKey"]))
    with pytest.raises(ClientError) as exc:
        client.get_caller_identity()
    assert error_of(exc) == INVALID_STS


def test_long_term_key_with_a_session_token_is_invalid(server: RunningServer, iam: Any,
                                                       fresh: dict[str, Any],
                                                       unique: str) -> None:
    key_id, secret = make_user_key(iam, f"lt-{unique}")
    creds = {"AccessKeyId": key_id, "SecretAccessKey": secret,
             "SessionToken": fresh["SessionToken"]}
    assert rejected(server, "sts", creds) == INVALID_STS


def test_right_token_with_wrong_secret_fails_the_signature(server: RunningServer,
                                                           fresh: dict[str, Any]) -> None:
    fresh["SecretAccessKey"] = "x" * 40
    assert rejected(server, "sts", fresh)[:2] == ("SignatureDoesNotMatch", 403)


def test_token_of_another_servers_key_ring_is_invalid(server: RunningServer,
                                                      tmp_path: Path) -> None:
    account = server.client("sts").get_caller_identity()["Account"]
    engine = open_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    migrate(engine)
    try:
        ring = sessions.KeyRing(Store(engine), SecretBox([MasterKey(b"o" * 32)]),
                                change_watch_for(engine))
        foreign = sts.seal(ring, account, datetime.now(UTC), 3600, **root_claims(account))
    finally:
        engine.dispose()
    assert rejected(server, "sts", foreign.credentials()) == INVALID_STS
    assert rejected(server, "iam", foreign.credentials()) == INVALID_IAM


# --- the clock at the edges of expiry


def test_expired_token_is_expired_token_for_both_services(server: RunningServer) -> None:
    creds = minted(server, datetime.now(UTC) - timedelta(seconds=901), 900)
    assert rejected(server, "sts", creds) == EXPIRED
    assert rejected(server, "iam", creds) == EXPIRED


def test_token_minutes_from_expiry_still_works(server: RunningServer) -> None:
    creds = minted(server, datetime.now(UTC) - timedelta(seconds=840), 900)
    assert session_client(server, "sts", creds).get_caller_identity()["Arn"].endswith(":root")


@pytest.fixture
def resolver(tmp_path: Path) -> Iterator[tuple[sessions.KeyRing, CredentialResolver]]:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    store, box, changes = Store(engine), SecretBox([MasterKey(b"k" * 32)]), change_watch_for(engine)
    ring = sessions.KeyRing(store, box, changes)
    yield ring, CredentialResolver(store, box, changes, "aws", ring)
    engine.dispose()


ISSUED = datetime(2026, 3, 1, 8, 30, 15, 250_000, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "after", "valid"), [
    (900, timedelta(0), True),
    (900, timedelta(seconds=899), True),
    (900, timedelta(seconds=899, microseconds=749_999), True),
    # Expiry is the whole second of issue plus the duration: 08:45:15 sharp.
    (900, timedelta(seconds=899, microseconds=750_000), False),
    (900, timedelta(seconds=900), False),
    (129_600, timedelta(hours=36) - timedelta(seconds=1), True),
    (129_600, timedelta(hours=36), False),
])
def test_frozen_clock_at_the_edge_of_expiry(
        resolver: tuple[sessions.KeyRing, CredentialResolver], seconds: int,
        after: timedelta, valid: bool) -> None:
    ring, credentials = resolver
    issued = sts.seal(ring, "123456789012", ISSUED, seconds, **root_claims("123456789012"))
    key, token = issued.claims.access_key_id, issued.token
    if valid:
        assert credentials.temporary(key, token, ISSUED + after, "sts").caller.is_root
    else:
        with pytest.raises(ExpiredToken):
            credentials.temporary(key, token, ISSUED + after, "sts")


# --- AssumeRole with bad input: AWS's error, nothing stored


def tagging_user(iam: Any, name: str) -> tuple[str, str]:
    """A user allowed AssumeRole, TagSession and SetSourceIdentity by its own policy."""
    key = user_allowed_to_assume(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="tag",
                        PolicyDocument=allow("sts:TagSession"))
    return key


def _random(n: int, salt: int = 0) -> str:
    picker = random.Random(n * 1000 + salt)
    return "".join(picker.choice(string.ascii_letters + string.digits) for _ in range(n))


def _policy_of_length(n: int) -> str:
    head = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",' \
           '"Resource":"arn:aws:s3:::'
    tail = '"}]}'
    return head + "b" * (n - len(head) - len(tail)) + tail


DUPLICATE_TAGS = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
TRANSITIVE_NOT_TAGGED = "The specified transitive tag key must be included in the requested tags."
TRANSITIVE_CONFLICT = ("One of the specified transitive tag keys can't be set because it "
                       "conflicts with a transitive tag key from the calling session.")
LENGTH = "1 validation error detected: Value '{v}' at '{f}' failed to satisfy constraint: " \
         "Member must have length {c} {n}"
BAD_ASSUME_ROLE = [
    pytest.param({"RoleSessionName": "a"}, "ValidationError",
                 LENGTH.format(v="a", f="roleSessionName", c="greater than or equal to", n=2),
                 id="session-name-too-short"),
    pytest.param({"RoleSessionName": "n" * 65}, "ValidationError",
                 LENGTH.format(v="n" * 65, f="roleSessionName", c="less than or equal to", n=64),
                 id="session-name-too-long"),
    pytest.param({"RoleSessionName": "two words"}, "ValidationError",
                 "1 validation error detected: Value 'two words' at 'roleSessionName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
                 id="session-name-pattern"),
    pytest.param({"DurationSeconds": 899}, "ValidationError",
                 "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 900",
                 id="duration-below-900"),
    pytest.param({"DurationSeconds": 43_201}, "ValidationError",
                 "1 validation error detected: Value '43201' at 'durationSeconds' failed to "
                 "satisfy constraint: Member must have value less than or equal to 43200",
                 id="duration-above-12h"),
    pytest.param({"DurationSeconds": 3_601}, "ValidationError",
                 "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                 id="duration-above-role-max"),
    pytest.param({"Policy": _policy_of_length(2_049)}, "ValidationError",
                 "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                 "Member must have length less than or equal to 2048",
                 id="session-policy-over-2048"),
    pytest.param({"Policy": '{"Version": "2012-10-17", "Statement": '}, "MalformedPolicyDocument",
                 None, id="session-policy-malformed"),
    pytest.param({"Tags": [{"Key": _random(128, i), "Value": _random(256, i)} for i in range(50)]},
                 "PackedPolicyTooLarge", None, id="packed-policy-too-large"),
    pytest.param({"Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
                 "ValidationError", None, id="more-than-50-tags"),
    pytest.param({"Tags": [{"Key": "k" * 129, "Value": "v"}]}, "ValidationError", None,
                 id="tag-key-too-long"),
    pytest.param({"Tags": [{"Key": "k", "Value": "v" * 257}]}, "ValidationError", None,
                 id="tag-value-too-long"),
    pytest.param({"Tags": [{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}]},
                 "InvalidParameterValue", DUPLICATE_TAGS, id="duplicate-tag-keys"),
    # AWS's wording for the reserved prefix is unconfirmed: only the code is checked.
    pytest.param({"Tags": [{"Key": "aws:team", "Value": "a"}]}, "InvalidParameterValue", None,
                 id="tag-key-with-aws-prefix"),
    pytest.param({"Tags": [{"Key": "AWS:team", "Value": "a"}]}, "InvalidParameterValue", None,
                 id="tag-key-with-aws-prefix-any-case"),
    pytest.param({"Tags": [{"Key": "Team", "Value": "a"}], "TransitiveTagKeys": ["Project"]},
                 "InvalidParameterValue", TRANSITIVE_NOT_TAGGED,
                 id="transitive-key-not-among-tags"),
    pytest.param({"TransitiveTagKeys": ["Project"]}, "InvalidParameterValue",
                 TRANSITIVE_NOT_TAGGED, id="transitive-key-without-tags"),
    # AWS's wording for PolicyArns is unconfirmed: only the code is checked.
    pytest.param({"PolicyArns": [{"arn": f"arn:aws:iam::aws:policy/P{i}"} for i in range(11)]},
                 "ValidationError", None, id="more-than-10-policy-arns"),
    pytest.param({"PolicyArns": [{"arn": "arn:aws:iam::123456789012:role/not-a-policy"}]},
                 "ValidationError", None, id="policy-arn-names-a-role"),
    pytest.param({"PolicyArns": [{"arn": "arn:aws:iam:123456789012:policy/x"}]},
                 "ValidationError", None, id="policy-arn-malformed"),
    pytest.param({"ExternalId": "x"}, "ValidationError",
                 LENGTH.format(v="x", f="externalId", c="greater than or equal to", n=2),
                 id="external-id-too-short"),
    pytest.param({"SourceIdentity": "has space"}, "ValidationError", None,
                 id="source-identity-pattern"),
    pytest.param({"RoleArn": "arn:aws:iam::1"}, "ValidationError",
                 LENGTH.format(v="arn:aws:iam::1", f="roleArn", c="greater than or equal to",
                               n=20), id="role-arn-too-short"),
    # AWS answers an ARN that does not parse as one (recorded AWS responses in
    # localstack's STS snapshot tests), before looking for any role.
    pytest.param({"RoleArn": "arn:aws:iam:123456789012:role/x"}, "ValidationError",
                 "arn:aws:iam:123456789012:role/x is invalid", id="role-arn-malformed"),
]


@pytest.mark.parametrize(("overrides", "code", "message"), BAD_ASSUME_ROLE)
def test_bad_assume_role_gets_aws_error_and_stores_nothing(
        server: RunningServer, iam: Any, unique: str, overrides: dict[str, Any], code: str,
        message: str | None) -> None:
    key = tagging_user(iam, f"bad-{unique}")
    account = server.client("sts", key).get_caller_identity()["Account"]
    role_arn = make_role(iam, f"bad-{unique}", trust(
        {"AWS": f"arn:aws:iam::{account}:root"}, actions=["sts:AssumeRole", "sts:TagSession",
                                                          "sts:SetSourceIdentity"]))
    params = {"RoleArn": role_arn, "RoleSessionName": "ok-name", **overrides}
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).assume_role(**params)
    got_code, status, got_message = error_of(exc)
    assert (got_code, status) == (code, 403 if code == "AccessDenied" else 400)
    if message is not None:
        assert got_message == message
    assert "LastUsedDate" not in iam.get_role(RoleName=f"bad-{unique}")["Role"]["RoleLastUsed"]


def test_packed_policy_too_large_names_the_size(server: RunningServer, iam: Any,
                                                unique: str) -> None:
    key = tagging_user(iam, f"pk-{unique}")
    account = server.client("sts", key).get_caller_identity()["Account"]
    role_arn = make_role(iam, f"pk-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"},
                                                    actions=["sts:AssumeRole", "sts:TagSession"]))
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).assume_role(
            RoleArn=role_arn, RoleSessionName="s1",
            Tags=[{"Key": _random(128, i), "Value": _random(250, i)} for i in range(50)])
    code, _, message = error_of(exc)
    assert code == "PackedPolicyTooLarge"
    assert message.startswith("Packed size of consumed session policies and session tags "
                              "exceeds 100%. Packed size: ")


def _tagging_setup(server: RunningServer, iam: Any, name: str) -> tuple[tuple[str, str], str]:
    key = tagging_user(iam, name)
    account = server.client("sts", key).get_caller_identity()["Account"]
    role_arn = make_role(iam, name, trust({"AWS": f"arn:aws:iam::{account}:root"},
                                          actions=["sts:AssumeRole", "sts:TagSession"]))
    return key, role_arn


def test_transitive_tag_keys_match_tags_ignoring_case(server: RunningServer, iam: Any,
                                                      unique: str) -> None:
    key, role_arn = _tagging_setup(server, iam, f"tc-{unique}")
    response = server.client("sts", key).assume_role(
        RoleArn=role_arn, RoleSessionName="s1", Tags=[{"Key": "Team", "Value": "a"}],
        TransitiveTagKeys=["team"])
    assert response["AssumedRoleUser"]["Arn"].endswith(f"/tc-{unique}/s1")


def test_ten_policy_arns_are_accepted(server: RunningServer, iam: Any, unique: str) -> None:
    key, role_arn = _tagging_setup(server, iam, f"ten-{unique}")
    arns = [{"arn": f"arn:aws:iam::aws:policy/P{i}"} for i in range(10)]
    response = server.client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="s1",
                                                     PolicyArns=arns)
    assert 0 < response["PackedPolicySize"] <= 100


@pytest.mark.parametrize("requested_key", ["Team", "team"])
def test_chained_session_may_not_reset_an_inherited_transitive_tag(
        server: RunningServer, iam: Any, unique: str, requested_key: str) -> None:
    key, first_arn = _tagging_setup(server, iam, f"ch1-{unique}")
    iam.put_role_policy(RoleName=f"ch1-{unique}", PolicyName="chain",
                        PolicyDocument=allow("sts:*"))
    _, second_arn = _tagging_setup(server, iam, f"ch2-{unique}")
    first = server.client("sts", key).assume_role(
        RoleArn=first_arn, RoleSessionName="s1", Tags=[{"Key": "Team", "Value": "a"}],
        TransitiveTagKeys=["Team"])
    chained = session_client(server, "sts", first["Credentials"])
    with pytest.raises(ClientError) as exc:
        chained.assume_role(RoleArn=second_arn, RoleSessionName="s2",
                            Tags=[{"Key": requested_key, "Value": "b"}])
    assert error_of(exc) == ("InvalidParameterValue", 400, TRANSITIVE_CONFLICT)
    assert "LastUsedDate" not in iam.get_role(RoleName=f"ch2-{unique}")["Role"]["RoleLastUsed"]


def test_session_policy_of_exactly_2048_characters_is_accepted(
        server: RunningServer, iam: Any, unique: str) -> None:
    key = user_allowed_to_assume(iam, f"edge-{unique}")
    account = server.client("sts", key).get_caller_identity()["Account"]
    role_arn = make_role(iam, f"edge-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    policy = _policy_of_length(2_048)
    response = server.client("sts", key).assume_role(RoleArn=role_arn, RoleSessionName="s1",
                                                     Policy=policy)
    assert 0 < response["PackedPolicySize"] <= 100


# --- GetSessionToken and GetFederationToken with bad input


@pytest.mark.parametrize(("operation", "params", "code"), [
    ("get_session_token", {"DurationSeconds": 899}, "ValidationError"),
    ("get_session_token", {"DurationSeconds": 129_601}, "ValidationError"),
    ("get_federation_token", {"Name": "a"}, "ValidationError"),
    ("get_federation_token", {"Name": "bad name"}, "ValidationError"),
    ("get_federation_token", {"Name": "fed-ok", "DurationSeconds": 129_601}, "ValidationError"),
    ("get_federation_token", {"Name": "fed-ok", "Policy": _policy_of_length(2_049)},
     "ValidationError"),
    ("get_federation_token", {"Name": "fed-ok", "Policy": "{"}, "MalformedPolicyDocument"),
    ("get_federation_token", {"Name": "fed-ok", "Tags": [
        {"Key": _random(128, i), "Value": _random(256, i)} for i in range(50)]},
     "PackedPolicyTooLarge"),
    ("get_federation_token", {"Name": "fed-ok", "Tags": [
        {"Key": "Team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}]}, "InvalidParameterValue"),
    ("get_federation_token", {"Name": "fed-ok", "Tags": [{"Key": "aws:x", "Value": "a"}]},
     "InvalidParameterValue"),
])
def test_bad_session_requests_get_aws_errors(server: RunningServer, iam: Any, unique: str,
                                             operation: str, params: dict[str, Any],
                                             code: str) -> None:
    name = f"sess-{unique}"
    key = make_user_key(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="sts",
                        PolicyDocument=allow("sts:*"))
    with pytest.raises(ClientError) as exc:
        getattr(server.client("sts", key), operation)(**params)
    assert error_of(exc)[:2] == (code, 400)
