"""Server certificates: UploadServerCertificate, GetServerCertificate,
ListServerCertificates, UpdateServerCertificate, DeleteServerCertificate and tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of
from tests.data.certs import material
from tests.support.server import RunningServer


def _leaf() -> tuple[str, str]:
    key = material.rsa_key(6)
    return material.pem(material.certificate(key, "www.example.com")), material.key_pem(key)


def _upload(iam: Any, name: str, **extra: Any) -> dict[str, Any]:
    body, key = _leaf()
    return dict(iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=body,
                                              PrivateKey=key, **extra))


def test_upload_returns_metadata_with_aws_formats(iam: Any, sts: Any, unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    out = _upload(iam, f"web-{unique}", Path="/cloudfront/",
                  Tags=[{"Key": "team", "Value": "edge"}])
    meta = out["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/cloudfront/web-{unique}"
    assert meta["ServerCertificateId"].startswith("ASCA") and len(
        meta["ServerCertificateId"]) == 21
    assert meta["Expiration"] > meta["UploadDate"]
    assert out["Tags"] == [{"Key": "team", "Value": "edge"}]


def test_get_returns_body_and_chain_but_never_the_key(server: RunningServer, iam: Any,
                                                      unique: str) -> None:
    ca_key, leaf_key = material.rsa_key(7), material.rsa_key(8)
    ca = material.certificate(ca_key, "Test CA", ca=True)
    leaf = material.certificate(leaf_key, "site", issuer=ca, issuer_key=ca_key)
    key_text = material.key_pem(leaf_key)
    iam.upload_server_certificate(ServerCertificateName=f"chained-{unique}",
                                  CertificateBody=material.pem(leaf), PrivateKey=key_text,
                                  CertificateChain=material.pem(ca))
    got = iam.get_server_certificate(ServerCertificateName=f"chained-{unique}")
    assert got["ServerCertificate"]["CertificateBody"] == material.pem(leaf)
    assert got["ServerCertificate"]["CertificateChain"] == material.pem(ca)
    assert "PRIVATE KEY" not in str(got)
    assert key_text.splitlines()[1] not in server.log()


def test_key_of_another_certificate_is_key_pair_mismatch(iam: Any, unique: str) -> None:
    body, _ = _leaf()
    with pytest.raises(ClientError) as exc:
        iam.upload_server_certificate(ServerCertificateName=f"mismatch-{unique}",
                                      CertificateBody=body,
                                      PrivateKey=material.key_pem(material.rsa_key(9)))
    assert error_of(exc)[:2] == ("KeyPairMismatch", 400)
    assert "PRIVATE" not in error_of(exc)[2]


def test_chain_not_starting_with_the_issuer_is_malformed(iam: Any, unique: str) -> None:
    body, key = _leaf()
    with pytest.raises(ClientError) as exc:
        iam.upload_server_certificate(ServerCertificateName=f"badchain-{unique}",
                                      CertificateBody=body, PrivateKey=key,
                                      CertificateChain=material.self_signed_pem(10, "other"))
    code, _, message = error_of(exc)
    assert code == "MalformedCertificate"
    assert message.startswith("Unable to validate certificate chain.")
    assert message.endswith("The index within the chain of the invalid certificate is: 1")


def test_unparsable_private_key_is_malformed_without_echoing_it(iam: Any, unique: str) -> None:
    body, _ = _leaf()
    with pytest.raises(ClientError) as exc:
        iam.upload_server_certificate(ServerCertificateName=f"badkey-{unique}",
                                      CertificateBody=body, PrivateKey="sekrit-key-material")
    assert error_of(exc)[0] == "MalformedCertificate"
    assert "sekrit" not in error_of(exc)[2]


def test_same_name_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    _upload(iam, f"dup-{unique}")
    with pytest.raises(ClientError) as exc:
        _upload(iam, f"DUP-{unique}")
    assert error_of(exc) == ("EntityAlreadyExists", 409,
                             f"The Server Certificate with name DUP-{unique} already exists.")


def test_get_missing_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_server_certificate(ServerCertificateName=f"nope-{unique}")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The Server Certificate with name nope-{unique} cannot be found.")


def test_list_filters_by_path_prefix_and_pages(iam: Any, unique: str) -> None:
    for i in range(3):
        _upload(iam, f"ls{i}-{unique}", Path=f"/ls{unique}/")
    first = iam.list_server_certificates(PathPrefix=f"/ls{unique}/", MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_server_certificates(PathPrefix=f"/ls{unique}/", Marker=first["Marker"])
    names = [m["ServerCertificateName"] for m in
             first["ServerCertificateMetadataList"] + rest["ServerCertificateMetadataList"]]
    assert names == [f"ls{i}-{unique}" for i in range(3)]


def test_update_renames_and_moves(iam: Any, unique: str) -> None:
    _upload(iam, f"old-{unique}")
    iam.update_server_certificate(ServerCertificateName=f"old-{unique}",
                                  NewServerCertificateName=f"new-{unique}", NewPath="/moved/")
    meta = iam.get_server_certificate(ServerCertificateName=f"new-{unique}")[
        "ServerCertificate"]["ServerCertificateMetadata"]
    assert (meta["ServerCertificateName"], meta["Path"]) == (f"new-{unique}", "/moved/")


def test_delete_then_get_is_no_such_entity(iam: Any, unique: str) -> None:
    _upload(iam, f"del-{unique}")
    iam.delete_server_certificate(ServerCertificateName=f"del-{unique}")
    with pytest.raises(ClientError) as exc:
        iam.get_server_certificate(ServerCertificateName=f"del-{unique}")
    assert error_of(exc)[0] == "NoSuchEntity"


def test_tag_untag_and_list_tags(iam: Any, unique: str) -> None:
    name = f"tags-{unique}"
    _upload(iam, name)
    iam.tag_server_certificate(ServerCertificateName=name,
                               Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_server_certificate(ServerCertificateName=name, TagKeys=["a"])
    assert iam.list_server_certificate_tags(ServerCertificateName=name)["Tags"] == [
        {"Key": "b", "Value": "2"}]
