"""DecodeAuthorizationMessage: encoded denials that only allowed principals can read.

No IAM or STS operation encodes its AccessDenied (AWS encodes for services such
as EC2), so the denials here are made in-process by the authorizer the server
uses, against the server's own database and master key, with
`authorization_message.explain_denial`, the function a service built on Sekisho
calls; the server then decodes them over the wire.
"""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sekisho.app import Opened, open_state
from sekisho.auth.credentials import CredentialResolver
from sekisho.domain import authorization_message
from sekisho.domain.authorization import Authorizer
from sekisho.domain.sessions import KeyRing
from sekisho.settings import Settings
from sekisho.store.changes import change_watch_for
from tests.api.test_access_keys import make_user_key
from tests.api.test_assume_role import allow, make_role, trust
from tests.api.test_sts_sessions import session_client
from tests.api.test_users import error_of
from tests.support.server import RunningServer

RUN = "ec2:RunInstances"


def deny(action: str, sid: str, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": sid, "Effect": "Deny", "Action": action, "Resource": resource,
         "Condition": {"StringEquals": {"ec2:InstanceType": ["m5.large", "m5.xlarge"]}}}]})


@contextmanager
def server_state(server: RunningServer) -> Iterator[Opened]:
    settings = Settings().with_overrides(data_dir=server.data_dir,
                                         database_url=server.database_url)
    opened = open_state(settings, run_migrations=False)
    try:
        yield opened
    finally:
        opened.store.dispose()


def encoded_denial(server: RunningServer, key: tuple[str, str], action: str, resource: str,
                   context: dict[str, Any] | None = None) -> str | None:
    """What a service on Sekisho would put in its denial of `key`'s request."""
    with server_state(server) as opened:
        changes = change_watch_for(opened.store.engine)
        ring = KeyRing(opened.store, opened.box, changes)
        entry = CredentialResolver(opened.store, opened.box, changes, "aws", ring).lookup(key[0])
        assert entry is not None
        authorizer = Authorizer(opened.store, changes, "aws")
        return authorization_message.explain_denial(
            authorizer, opened.store, opened.box, entry.caller, action, resource,
            context or {}, datetime.now(UTC))


def decoder(server: RunningServer, iam: Any, name: str) -> Any:
    key = make_user_key(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="decode",
                        PolicyDocument=allow("sts:DecodeAuthorizationMessage"))
    return server.client("sts", key)


def decoded(sts: Any, encoded: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(sts.decode_authorization_message(
        EncodedMessage=encoded)["DecodedMessage"])
    return result


def condition(items: list[dict[str, Any]], key: str) -> list[str]:
    return next([v["value"] for v in c["values"]["items"]] for c in items if c["key"] == key)


def test_explicit_deny_names_the_statement_principal_action_and_context(
        server: RunningServer, iam: Any, unique: str) -> None:
    name = f"denied-{unique}"
    key = make_user_key(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="no-big", PolicyDocument=deny(RUN, "NoBig"))
    account = server.client("sts", key).get_caller_identity()["Account"]
    resource = f"arn:aws:ec2:us-east-1:{account}:instance/*"
    encoded = encoded_denial(server, key, RUN, resource, {"ec2:InstanceType": "m5.large"})
    assert encoded is not None

    message = decoded(decoder(server, iam, f"reader-{unique}"), encoded)
    assert message["allowed"] is False and message["explicitDeny"] is True
    statement = message["matchedStatements"]["items"][0]
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    assert statement["statementId"] == "NoBig" and statement["effect"] == "DENY"
    assert statement["principals"]["items"] == [{"value": user_id}]
    assert statement["actions"]["items"] == [{"value": RUN}]
    assert statement["resources"]["items"] == [{"value": "*"}]
    assert condition(statement["conditions"]["items"], "ec2:InstanceType") == [
        "m5.large", "m5.xlarge"]
    assert message["failures"] == {"items": []}
    context = message["context"]
    assert context["principal"] == {"id": user_id, "name": name,
                                    "arn": f"arn:aws:iam::{account}:user/{name}"}
    assert context["action"] == RUN and context["resource"] == resource
    items = context["conditions"]["items"]
    assert condition(items, "ec2:InstanceType") == ["m5.large"]
    assert condition(items, "aws:Account") == [account]
    assert condition(items, "aws:Resource") == ["instance/*"]


def test_implicit_deny_matches_no_statement(server: RunningServer, iam: Any, unique: str
                                            ) -> None:
    key = make_user_key(iam, f"nothing-{unique}")
    encoded = encoded_denial(server, key, RUN, "*")
    assert encoded is not None
    message = decoded(decoder(server, iam, f"reader2-{unique}"), encoded)
    assert message["allowed"] is False and message["explicitDeny"] is False
    assert message["matchedStatements"] == {"items": []}


def test_allowed_request_has_no_failure_message(server: RunningServer, iam: Any, unique: str
                                                ) -> None:
    name = f"allowed-{unique}"
    key = make_user_key(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="run", PolicyDocument=allow(RUN))
    assert encoded_denial(server, key, RUN, "*") is None


def test_encoded_message_fits_the_10240_character_limit(server: RunningServer, iam: Any,
                                                        unique: str) -> None:
    key = make_user_key(iam, f"big-{unique}")
    context = {f"ec2:Key{i}": f"value-{i}-{'x' * 40}" for i in range(400)}
    encoded = encoded_denial(server, key, RUN, "*", context)
    assert encoded is not None and len(encoded) <= authorization_message.MAX_ENCODED
    message = decoded(decoder(server, iam, f"reader3-{unique}"), encoded)
    assert message["context"]["action"] == RUN


def test_role_session_allowed_to_decode_reads_the_message(
        server: RunningServer, iam: Any, unique: str) -> None:
    key = make_user_key(iam, f"victim-{unique}")
    encoded = encoded_denial(server, key, RUN, "*")
    assert encoded is not None
    caller = make_user_key(iam, f"ops-{unique}")
    iam.put_user_policy(UserName=f"ops-{unique}", PolicyName="assume",
                        PolicyDocument=allow("sts:AssumeRole"))
    account = server.client("sts", caller).get_caller_identity()["Account"]
    role_arn = make_role(iam, f"decoder-{unique}", trust({"AWS": f"arn:aws:iam::{account}:root"}))
    iam.put_role_policy(RoleName=f"decoder-{unique}", PolicyName="decode",
                        PolicyDocument=allow("sts:DecodeAuthorizationMessage"))
    creds = server.client("sts", caller).assume_role(RoleArn=role_arn,
                                                      RoleSessionName="s1")["Credentials"]
    message = decoded(session_client(server, "sts", creds), encoded)
    assert message["context"]["principal"]["arn"].endswith(f":user/victim-{unique}")


def test_decoding_needs_sts_decode_authorization_message(
        server: RunningServer, iam: Any, unique: str) -> None:
    key = make_user_key(iam, f"curious-{unique}")
    encoded = encoded_denial(server, key, RUN, "*")
    assert encoded is not None
    with pytest.raises(ClientError) as exc:
        server.client("sts", key).decode_authorization_message(EncodedMessage=encoded)
    code, status, message = error_of(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "is not authorized to perform: sts:DecodeAuthorizationMessage" in message


def _altered(encoded: str) -> str:
    middle = len(encoded) // 2
    return encoded[:middle] + ("A" if encoded[middle] != "A" else "B") + encoded[middle + 1:]


@pytest.mark.parametrize("mangle", [
    pytest.param(lambda e: "not a message", id="other-text"),
    pytest.param(lambda e: e[: len(e) // 2], id="truncated"),
    pytest.param(_altered, id="altered"),
    pytest.param(lambda e: e[:40] + "\n" + e[40:], id="line-break"),
])
def test_invalid_message_is_rejected_with_aws_error(
        server: RunningServer, iam: Any, unique: str, mangle: Any) -> None:
    key = make_user_key(iam, f"m-{unique}")
    encoded = encoded_denial(server, key, RUN, "*")
    assert encoded is not None
    with pytest.raises(ClientError) as exc:
        decoder(server, iam, f"r-{unique}").decode_authorization_message(
            EncodedMessage=mangle(encoded))
    assert error_of(exc) == ("InvalidAuthorizationMessageException", 400,
                             authorization_message.INVALID_MESSAGE)


def test_message_of_another_account_does_not_decode(server: RunningServer, iam: Any,
                                                    unique: str) -> None:
    key = make_user_key(iam, f"acct-{unique}")
    encoded = encoded_denial(server, key, RUN, "*")
    assert encoded is not None
    profile = f"other-{unique}"
    args = [sys.executable, "-m", "sekisho", "account", "create", "--data-dir",
            str(server.data_dir), "--profile", profile]
    if server.database_url:
        args += ["--database-url", server.database_url]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    creds = configparser.ConfigParser()
    creds.read(server.data_dir / "root-credentials")
    other_root = (creds[profile]["aws_access_key_id"], creds[profile]["aws_secret_access_key"])
    with pytest.raises(ClientError) as exc:
        server.client("sts", other_root).decode_authorization_message(EncodedMessage=encoded)
    assert error_of(exc)[0] == "InvalidAuthorizationMessageException"
