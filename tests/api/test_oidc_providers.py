"""OpenID Connect providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
ListOpenIDConnectProviders, client ids, thumbprints, DeleteOpenIDConnectProvider, tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_users import error_of

THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def _create(iam: Any, url: str, **extra: Any) -> str:
    return str(iam.create_open_id_connect_provider(Url=url, **extra)[
        "OpenIDConnectProviderArn"])


def test_create_names_the_provider_by_host_and_path(iam: Any, sts: Any, unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    arn = _create(iam, f"https://oidc.example.com/id/{unique}", ClientIDList=["sts.amazonaws.com"],
                  ThumbprintList=[THUMB])
    assert arn == f"arn:aws:iam::{account}:oidc-provider/oidc.example.com/id/{unique}"


def test_get_returns_url_without_scheme_client_ids_and_thumbprints(iam: Any,
                                                                    unique: str) -> None:
    arn = _create(iam, f"https://get.example.com/{unique}", ClientIDList=["a", "b"],
                  ThumbprintList=[THUMB], Tags=[{"Key": "k", "Value": "v"}])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == f"get.example.com/{unique}"
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["a", "b"], [THUMB])
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]


def test_thumbprints_are_optional(iam: Any, unique: str) -> None:
    arn = _create(iam, f"https://nothumb.example.com/{unique}")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == []


def test_list_shows_the_provider(iam: Any, unique: str) -> None:
    arn = _create(iam, f"https://list.example.com/{unique}")
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert arn in [p["Arn"] for p in listed]


@pytest.mark.parametrize("url", ["http://insecure.example.com", "https://port.example.com:8443",
                                 "https://query.example.com/?a=b", "not a url",
                                 "https://[::1", "https://[zz]", "https://a.example.com:99999",
                                 "https://a.example.com:x"])
def test_url_other_than_plain_https_is_invalid_input(iam: Any, url: str) -> None:
    with pytest.raises(ClientError) as exc:
        _create(iam, url)
    assert error_of(exc)[:2] == ("InvalidInput", 400)


def test_same_url_twice_is_entity_already_exists(iam: Any, unique: str) -> None:
    url = f"https://twice.example.com/{unique}"
    _create(iam, url)
    with pytest.raises(ClientError) as exc:
        _create(iam, url)
    assert error_of(exc) == ("EntityAlreadyExists", 409, f"Provider with url {url} already exists.")


def test_non_hex_thumbprint_is_invalid_input(iam: Any, unique: str) -> None:
    with pytest.raises(ClientError) as exc:
        _create(iam, f"https://hex.example.com/{unique}", ThumbprintList=["z" * 40])
    assert error_of(exc)[:2] == ("InvalidInput", 400)


def test_six_thumbprints_is_limit_exceeded(iam: Any, unique: str) -> None:
    thumbs = [f"{i:040x}" for i in range(6)]
    with pytest.raises(ClientError) as exc:
        _create(iam, f"https://six.example.com/{unique}", ThumbprintList=thumbs)
    assert error_of(exc)[:2] == ("LimitExceeded", 409)


def test_add_and_remove_client_ids(iam: Any, unique: str) -> None:
    arn = _create(iam, f"https://clients.example.com/{unique}", ClientIDList=["a"])
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                       ClientID="a")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                       ClientID="absent")
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ClientIDList"] == ["b"]


def test_update_thumbprints_replaces_them(iam: Any, unique: str) -> None:
    arn = _create(iam, f"https://thumbs.example.com/{unique}", ThumbprintList=[THUMB])
    new = "a" * 40
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                   ThumbprintList=[new])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)[
        "ThumbprintList"] == [new]


def test_get_missing_is_no_such_entity(iam: Any, sts: Any, unique: str) -> None:
    account = sts.get_caller_identity()["Account"]
    arn = f"arn:aws:iam::{account}:oidc-provider/missing.example.com/{unique}"
    with pytest.raises(ClientError) as exc:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(exc) == ("NoSuchEntity", 404,
                             f"OpenIDConnect Provider not found for arn {arn}")


def test_delete_is_idempotent(iam: Any, unique: str) -> None:
    arn = _create(iam, f"https://delete.example.com/{unique}")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as exc:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(exc)[0] == "NoSuchEntity"


def test_tag_untag_and_list_tags(iam: Any, unique: str) -> None:
    arn = _create(iam, f"https://tags.example.com/{unique}")
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                     Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["a"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [
        {"Key": "b", "Value": "2"}]
