"""X.509 signing certificates: UploadSigningCertificate, ListSigningCertificates,
UpdateSigningCertificate, DeleteSigningCertificate, and DeleteUser's conflict."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of
from tests.data.certs import material


def _user(iam: Any, unique: str, name: str = "signer") -> str:
    user_name = f"{name}-{unique}"
    iam.create_user(UserName=user_name)
    return user_name


def _fresh_cert() -> str:
    # Each upload needs a certificate no one in the account holds yet.
    return material.pem(material.certificate(material.rsa_key(1), "sekisho-signing"))


def test_upload_returns_active_certificate_with_aws_id(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    body = _fresh_cert()
    cert = iam.upload_signing_certificate(UserName=user, CertificateBody=body)["Certificate"]
    assert cert["UserName"] == user
    assert cert["Status"] == "Active"
    assert cert["CertificateBody"] == body
    assert len(cert["CertificateId"]) == 32 and cert["CertificateId"].isalnum()
    assert cert["UploadDate"].tzinfo is not None


def test_list_shows_uploaded_certificates(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    cert_id = iam.upload_signing_certificate(UserName=user, CertificateBody=_fresh_cert())[
        "Certificate"]["CertificateId"]
    listed = iam.list_signing_certificates(UserName=user)
    assert [c["CertificateId"] for c in listed["Certificates"]] == [cert_id]
    assert listed["IsTruncated"] is False


def test_same_certificate_twice_in_account_is_duplicate(iam: Any, unique: str) -> None:
    body = _fresh_cert()
    iam.upload_signing_certificate(UserName=_user(iam, unique, "a"), CertificateBody=body)
    with pytest.raises(ClientError) as exc:
        iam.upload_signing_certificate(UserName=_user(iam, unique, "b"), CertificateBody=body)
    assert error_of(exc)[:2] == ("DuplicateCertificate", 409)


def test_third_certificate_is_limit_exceeded(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    for _ in range(2):
        iam.upload_signing_certificate(UserName=user, CertificateBody=_fresh_cert())
    with pytest.raises(ClientError) as exc:
        iam.upload_signing_certificate(UserName=user, CertificateBody=_fresh_cert())
    assert error_of(exc) == ("LimitExceeded", 409,
                             "Cannot exceed quota for SigningCertificatesPerUser: 2")


@pytest.mark.parametrize("body", [
    "not a certificate",
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
])
def test_unparsable_certificate_is_malformed(iam: Any, unique: str, body: str) -> None:
    user = _user(iam, unique)
    with pytest.raises(ClientError) as exc:
        iam.upload_signing_certificate(UserName=user, CertificateBody=body)
    assert error_of(exc) == ("MalformedCertificate", 400, "Unable to parse certificate. "
                             "Please ensure the certificate is in PEM format.")


def test_expired_certificate_is_malformed(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    body = material.pem(material.certificate(material.rsa_key(2), "old", expired=True))
    with pytest.raises(ClientError) as exc:
        iam.upload_signing_certificate(UserName=user, CertificateBody=body)
    code, status, message = error_of(exc)
    assert (code, status) == ("MalformedCertificate", 400)
    assert "'Not After' date restriction on the certificate has passed" in message


def test_upload_for_missing_user_is_no_such_entity(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        iam.upload_signing_certificate(UserName=f"ghost-{unique}", CertificateBody=_fresh_cert())
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The user with name ghost-{unique} cannot be found.")


def test_update_sets_status_inactive(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    cert_id = iam.upload_signing_certificate(UserName=user, CertificateBody=_fresh_cert())[
        "Certificate"]["CertificateId"]
    iam.update_signing_certificate(UserName=user, CertificateId=cert_id, Status="Inactive")
    assert iam.list_signing_certificates(UserName=user)["Certificates"][0]["Status"] == \
        "Inactive"


def test_update_of_unknown_certificate_is_no_such_entity(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    missing = "A" * 32
    with pytest.raises(ClientError) as exc:
        iam.update_signing_certificate(UserName=user, CertificateId=missing, Status="Active")
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"The Certificate with id {missing} cannot be found.")


def test_delete_removes_certificate(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    cert_id = iam.upload_signing_certificate(UserName=user, CertificateBody=_fresh_cert())[
        "Certificate"]["CertificateId"]
    iam.delete_signing_certificate(UserName=user, CertificateId=cert_id)
    assert iam.list_signing_certificates(UserName=user)["Certificates"] == []


def test_delete_user_with_certificate_is_delete_conflict(iam: Any, unique: str) -> None:
    user = _user(iam, unique)
    iam.upload_signing_certificate(UserName=user, CertificateBody=_fresh_cert())
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName=user)
    assert error_of(exc) == ("DeleteConflict", 409,
                             "Cannot delete entity, must delete signing certificates first.")


def test_without_user_name_root_manages_its_own_certificates(iam: Any) -> None:
    cert_id = iam.upload_signing_certificate(CertificateBody=_fresh_cert())[
        "Certificate"]["CertificateId"]
    try:
        ids = [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]]
        assert cert_id in ids
    finally:
        iam.delete_signing_certificate(CertificateId=cert_id)
