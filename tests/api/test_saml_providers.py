"""SAML providers: CreateSAMLProvider (metadata checked), GetSAMLProvider,
ListSAMLProviders, UpdateSAMLProvider, DeleteSAMLProvider and tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of
from tests.data.certs import material


def _create(iam: Any, name: str, document: str | None = None, **extra: Any) -> str:
    return str(iam.create_saml_provider(Name=name,
                                        SAMLMetadataDocument=document or material.saml_metadata(),
                                        **extra)["SAMLProviderArn"])


def test_create_returns_arn_and_get_returns_document(iam: Any, sts: Any, unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    document = material.saml_metadata()
    arn = _create(iam, f"okta-{unique}", document, Tags=[{"Key": "idp", "Value": "okta"}])
    assert arn == f"arn:aws:iam::{account}:saml-provider/okta-{unique}"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == document
    assert got["ValidUntil"] > got["CreateDate"]
    assert got["Tags"] == [{"Key": "idp", "Value": "okta"}]
    assert got["SAMLProviderUUID"].startswith("SAML")


def test_valid_until_comes_from_the_document(iam: Any, unique: str) -> None:
    arn = _create(iam, f"until-{unique}",
                  material.saml_metadata(valid_until="2031-01-02T03:04:05Z"))
    assert iam.get_saml_provider(SAMLProviderArn=arn)["ValidUntil"].year == 2031


def test_list_shows_the_provider(iam: Any, unique: str) -> None:
    arn = _create(iam, f"listed-{unique}")
    assert arn in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]


@pytest.mark.parametrize("document", [
    "<unclosed>" + "x" * 1000,
    material.saml_metadata(idp=False),
    ('<!DOCTYPE d [<!ENTITY e "boom">]>' + material.saml_metadata().split("?>", 1)[1]),
    material.saml_metadata(valid_until="9999-12-31T23:59:59-14:00"),
], ids=["not-xml", "no-idp-descriptor", "dtd", "valid-until-past-year-9999-in-utc"])
def test_bad_metadata_is_invalid_input(iam: Any, unique: str, document: str) -> None:
    with pytest.raises(ClientError) as exc:
        _create(iam, f"bad-{unique}", document)
    assert error_of(exc) == ("InvalidInput", 400, "Could not parse metadata.")


def test_metadata_without_signing_certificate_is_invalid_input(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        _create(iam, f"nocert-{unique}", material.saml_metadata(with_cert=False))
    assert error_of(exc)[:2] == ("InvalidInput", 400)


def test_same_name_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    _create(iam, f"twice-{unique}")
    with pytest.raises(ClientError) as exc:
        _create(iam, f"TWICE-{unique}")
    assert error_of(exc)[:2] == ("EntityAlreadyExists", 409)


def test_get_missing_is_no_such_entity(iam: Any, sts: Any, unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    arn = f"arn:aws:iam::{account}:saml-provider/missing-{unique}"
    with pytest.raises(ClientError) as exc:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(exc) == ("NoSuchEntity", 404, f"Manifest not found for arn {arn}")


def test_update_replaces_the_document(iam: Any, unique: str) -> None:
    arn = _create(iam, f"upd-{unique}")
    other = material.saml_metadata("https://other.example.com/saml")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=other)[
        "SAMLProviderArn"] == arn
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == other


def test_private_keys_are_listed_by_id_and_never_returned(iam: Any, unique: str) -> None:
    key_text = material.key_pem(material.rsa_key(11))
    arn = _create(iam, f"enc-{unique}", AddPrivateKey=key_text,
                  AssertionEncryptionMode="Required")
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Required"
    assert len(got["PrivateKeyList"]) == 1
    assert "PRIVATE KEY" not in str(got)


def test_required_encryption_without_a_key_is_invalid_input(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        _create(iam, f"req-{unique}", AssertionEncryptionMode="Required")
    assert error_of(exc)[:2] == ("InvalidInput", 400)


def test_third_private_key_is_limit_exceeded(iam: Any, unique: str) -> None:
    arn = _create(iam, f"keys-{unique}")
    for slot in (11, 12):
        iam.update_saml_provider(SAMLProviderArn=arn,
                                 AddPrivateKey=material.key_pem(material.rsa_key(slot)))
    with pytest.raises(ClientError) as exc:
        iam.update_saml_provider(SAMLProviderArn=arn,
                                 AddPrivateKey=material.key_pem(material.rsa_key(13)))
    assert error_of(exc) == ("LimitExceeded", 409, "Private key limit of 2 is reached.")


def test_delete_then_get_is_no_such_entity(iam: Any, unique: str) -> None:
    arn = _create(iam, f"gone-{unique}")
    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(exc)[0] == "NoSuchEntity"


def test_tag_untag_and_list_tags(iam: Any, unique: str) -> None:
    arn = _create(iam, f"tagged-{unique}")
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                                     {"Key": "b", "Value": "2"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["A"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [
        {"Key": "b", "Value": "2"}]
