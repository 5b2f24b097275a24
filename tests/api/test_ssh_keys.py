"""SSH public keys: UploadSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys,
UpdateSSHPublicKey, DeleteSSHPublicKey, and DeleteUser's conflict."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of
from tests.data.certs import material


def _user(iam: Any, unique: str) -> str:
    name = f"ssh-{unique}"
    iam.create_user(UserName=name)
    return name


def _md5_fingerprint(line: str) -> str:
    digest = hashlib.md5(base64.b64decode(line.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def test_upload_returns_key_with_aws_id_and_md5_fingerprint(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    line = material.ssh_rsa_line(material.rsa_key(3))
    key = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=line)["SSHPublicKey"]
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 20
    assert key["Fingerprint"] == _md5_fingerprint(line)
    assert (key["UserName"], key["Status"], key["SSHPublicKeyBody"]) == (user, "Active", line)


def test_pem_key_gets_the_same_fingerprint_as_its_openssh_form(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    key = material.rsa_key(4)
    uploaded = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=material.public_pem(key))
    assert uploaded["SSHPublicKey"]["Fingerprint"] == _md5_fingerprint(material.ssh_rsa_line(key))


@pytest.mark.parametrize("encoding", ["SSH", "PEM"])
def test_get_returns_the_key_in_the_requested_encoding(iam: Any, unique: str,
                                                       encoding: str) -> None:
    user = _user(iam, unique)
    key = material.rsa_key(3)
    key_id = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=material.ssh_rsa_line(
        key))["SSHPublicKey"]["SSHPublicKeyId"]
    got = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id,
                                 Encoding=encoding)["SSHPublicKey"]["SSHPublicKeyBody"]
    expected = material.public_pem(key) if encoding == "PEM" else \
        material.ssh_rsa_line(key).rsplit(" ", 1)[0]
    assert got.strip() == expected.strip()


def test_list_shows_metadata(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    key_id = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=material.ssh_rsa_line(
        material.rsa_key(3)))["SSHPublicKey"]["SSHPublicKeyId"]
    keys = iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in keys] == [(key_id, "Active")]


def test_same_key_twice_for_a_user_is_duplicate(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    line = material.ssh_rsa_line(material.rsa_key(3))
    iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=line)
    with pytest.raises(ClientError) as exc:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=line)
    assert error_of(exc)[:2] == ("DuplicateSSHPublicKey", 400)


def test_sixth_key_is_limit_exceeded(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    for slot in range(5):
        iam.upload_ssh_public_key(UserName=user,
                                  SSHPublicKeyBody=material.ssh_rsa_line(material.rsa_key(slot)))
    with pytest.raises(ClientError) as exc:
        iam.upload_ssh_public_key(UserName=user,
                                  SSHPublicKeyBody=material.ssh_rsa_line(material.rsa_key(5)))
    assert error_of(exc) == ("LimitExceeded", 409,
                             "Cannot exceed quota for SSHPublicKeysPerUser: 5")


@pytest.mark.parametrize(("body", "code"), [
    ("hello world", "UnrecognizedPublicKeyEncoding"),
    ("ssh-rsa not-base64!", "InvalidPublicKey"),
    ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "InvalidPublicKey"),
])
def test_bad_key_text_is_refused(iam: Any, unique: str, body: str, code: str) -> None:
    user = _user(iam, unique)
    with pytest.raises(ClientError) as exc:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)
    assert error_of(exc)[:2] == (code, 400)


def test_rsa_key_under_2048_bits_is_invalid(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    line = material.ssh_rsa_line(material.rsa_key(0, bits=1024))
    with pytest.raises(ClientError) as exc:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=line)
    assert error_of(exc)[:2] == ("InvalidPublicKey", 400)


def test_ed25519_key_is_invalid_as_aws_accepts_ssh_rsa_only(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    with pytest.raises(ClientError) as exc:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=material.ssh_ed25519_line())
    assert error_of(exc)[:2] == ("InvalidPublicKey", 400)


def test_update_and_delete(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    key_id = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=material.ssh_rsa_line(
        material.rsa_key(3)))["SSHPublicKey"]["SSHPublicKeyId"]
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status="Inactive")
    assert iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"][0]["Status"] == "Inactive"
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key_id)
    assert iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"] == []


def test_get_unknown_key_is_no_such_entity(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    missing = "APKA" + "A" * 16
    with pytest.raises(ClientError) as exc:
        iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=missing, Encoding="SSH")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The Public Key with id {missing} cannot be found.")


def test_delete_user_with_ssh_key_is_delete_conflict(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=material.ssh_rsa_line(
        material.rsa_key(3)))
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=user)
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete SSH public keys first.")
