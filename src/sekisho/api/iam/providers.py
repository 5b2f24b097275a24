"""IAM operations on identity providers: SAML providers and OpenID Connect providers,
with their tags.

Providers are named by ARN (`arn:PARTITION:iam::ACCOUNT:saml-provider/NAME`,
`...:oidc-provider/HOST/PATH`). Operations on an existing provider read it
first (without failing), authorize against its ARN and tags, then act.
SAML private keys are never returned, only their ids.
"""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.tagging import Context, request_tag_context, resource_tag_context, tag_page
from sekisho.domain import arns
from sekisho.domain import providers as idp
from sekisho.domain.tags import as_output, tags_from_params
from sekisho.errors import InvalidInput


def _resource_of(call: Call, arn: str, kind: str) -> str:
    """The part of a provider ARN after `KIND/`; InvalidInput when it is not such an ARN."""
    prefix = arns.iam(call.partition, call.account_id, f"{kind}/")
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" \
            or not parts[5].startswith(f"{kind}/") or len(parts[5]) == len(kind) + 1:
        raise InvalidInput(f"ARN {arn} is not valid.")
    if not arn.startswith(prefix):
        return ""  # another account's or partition's provider: never found here
    return arn[len(prefix):]


# --- SAML providers


def _saml_arn(call: Call, name: str) -> str:
    return arns.iam(call.partition, call.account_id, f"saml-provider/{name}")


def _existing_saml(call: Call, action: str, arn: str,
                   extra: Context | None = None) -> str:
    """Authorizes `action` on the provider; its name (empty when the ARN is not ours)."""
    name = _resource_of(call, arn, "saml-provider")
    with call.services.store.read() as tx:
        rec = idp.find_saml(tx, call.account_id, name) if name else None
        tags = tx.tags_of(rec.provider_id) if rec else []
    context = resource_tag_context(tags)
    context.update(extra or {})
    call.authorize(action, arn, context=context)
    return name


def create_saml_provider(call: Call, p: Params) -> Result:
    name = p["Name"]
    tags = tags_from_params(p.get("Tags"))
    arn = _saml_arn(call, name)
    call.authorize("iam:CreateSAMLProvider", arn, context=request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = idp.create_saml(tx, call.services.box, call.account_id, name,
                              p["SAMLMetadataDocument"], p.get("AddPrivateKey"),
                              p.get("AssertionEncryptionMode"), tags, call.now)
    out: dict[str, Any] = {"SAMLProviderArn": _saml_arn(call, rec.name)}
    if tags:
        out["Tags"] = as_output(tags)
    return out


def get_saml_provider(call: Call, p: Params) -> Result:
    arn = p["SAMLProviderArn"]
    name = _existing_saml(call, "iam:GetSAMLProvider", arn)
    with call.services.store.read() as tx:
        rec = idp.get_saml(tx, call.account_id, arn, name)
        keys = idp.saml_private_keys(tx, rec.provider_id)
        tags = tx.tags_of(rec.provider_id)
    out: dict[str, Any] = {"SAMLProviderUUID": rec.provider_id,
                           "SAMLMetadataDocument": rec.metadata_document,
                           "CreateDate": rec.created_at, "ValidUntil": rec.valid_until}
    if rec.encryption_mode:
        out["AssertionEncryptionMode"] = rec.encryption_mode
    if keys:
        out["PrivateKeyList"] = [{"KeyId": k.key_id, "Timestamp": k.created_at} for k in keys]
    if tags:
        out["Tags"] = as_output(tags)
    return out


def list_saml_providers(call: Call, p: Params) -> Result:
    # ListSAMLProviders names no resource type in the Service Authorization Reference.
    call.authorize("iam:ListSAMLProviders", "*")
    with call.services.store.read() as tx:
        records = idp.list_saml(tx, call.account_id)
    return {"SAMLProviderList": [{"Arn": _saml_arn(call, r.name), "ValidUntil": r.valid_until,
                                  "CreateDate": r.created_at} for r in records]}


def update_saml_provider(call: Call, p: Params) -> Result:
    arn = p["SAMLProviderArn"]
    name = _existing_saml(call, "iam:UpdateSAMLProvider", arn)
    with call.services.store.write() as tx:
        rec = idp.update_saml(tx, call.services.box, call.account_id, arn, name,
                              p.get("SAMLMetadataDocument"), p.get("AddPrivateKey"),
                              p.get("RemovePrivateKey"), p.get("AssertionEncryptionMode"),
                              call.now)
    return {"SAMLProviderArn": _saml_arn(call, rec.name)}


def delete_saml_provider(call: Call, p: Params) -> Result:
    arn = p["SAMLProviderArn"]
    name = _existing_saml(call, "iam:DeleteSAMLProvider", arn)
    with call.services.store.write() as tx:
        idp.delete_saml(tx, call.account_id, arn, name)
    return None


def tag_saml_provider(call: Call, p: Params) -> Result:
    arn, tags = p["SAMLProviderArn"], tags_from_params(p["Tags"])
    name = _existing_saml(call, "iam:TagSAMLProvider", arn, request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = idp.get_saml(tx, call.account_id, arn, name)
        idp.tag(tx, call.account_id, rec.provider_id, tags, "SAMLProvider")
    return None


def untag_saml_provider(call: Call, p: Params) -> Result:
    arn = p["SAMLProviderArn"]
    name = _existing_saml(call, "iam:UntagSAMLProvider", arn,
                          {"aws:TagKeys": tuple(p["TagKeys"])})
    with call.services.store.write() as tx:
        rec = idp.get_saml(tx, call.account_id, arn, name)
        idp.untag(tx, call.account_id, rec.provider_id, p["TagKeys"])
    return None


def list_saml_provider_tags(call: Call, p: Params) -> Result:
    arn = p["SAMLProviderArn"]
    name = _existing_saml(call, "iam:ListSAMLProviderTags", arn)
    with call.services.store.read() as tx:
        rec = idp.get_saml(tx, call.account_id, arn, name)
        tags = tx.tags_of(rec.provider_id)
    return tag_page(tags, p)


# --- OpenID Connect providers


def _oidc_arn(call: Call, resource: str) -> str:
    return arns.iam(call.partition, call.account_id, f"oidc-provider/{resource}")


def _existing_oidc(call: Call, action: str, arn: str, extra: Context | None = None) -> str:
    """Authorizes `action` on the provider; its host/path (empty when the ARN is not ours)."""
    resource = _resource_of(call, arn, "oidc-provider")
    with call.services.store.read() as tx:
        rec = idp.find_oidc(tx, call.account_id, resource) if resource else None
        tags = tx.tags_of(rec.provider_id) if rec else []
    context = resource_tag_context(tags)
    context.update(extra or {})
    call.authorize(action, arn, context=context)
    return resource


def create_open_id_connect_provider(call: Call, p: Params) -> Result:
    url = p["Url"]
    tags = tags_from_params(p.get("Tags"))
    call.authorize("iam:CreateOpenIDConnectProvider", _oidc_arn(call, idp.oidc_resource(url)),
                   context=request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = idp.create_oidc(tx, call.account_id, url, p.get("ClientIDList") or (),
                              p.get("ThumbprintList") or (), tags, call.now)
    out: dict[str, Any] = {"OpenIDConnectProviderArn": _oidc_arn(call, rec.resource)}
    if tags:
        out["Tags"] = as_output(tags)
    return out


def get_open_id_connect_provider(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:GetOpenIDConnectProvider", arn)
    with call.services.store.read() as tx:
        rec = idp.get_oidc(tx, call.account_id, arn, resource)
        tags = tx.tags_of(rec.provider_id)
    # AWS reports the URL without its scheme, as the ARN names it.
    out: dict[str, Any] = {"Url": rec.resource, "ClientIDList": list(rec.client_ids),
                           "ThumbprintList": list(rec.thumbprints), "CreateDate": rec.created_at}
    if tags:
        out["Tags"] = as_output(tags)
    return out


def list_open_id_connect_providers(call: Call, p: Params) -> Result:
    # ListOpenIDConnectProviders names no resource type in the Service Authorization Reference.
    call.authorize("iam:ListOpenIDConnectProviders", "*")
    with call.services.store.read() as tx:
        records = idp.list_oidc(tx, call.account_id)
    return {"OpenIDConnectProviderList": [{"Arn": _oidc_arn(call, r.resource)}
                                          for r in records]}


def add_client_id_to_open_id_connect_provider(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:AddClientIDToOpenIDConnectProvider", arn)
    with call.services.store.write() as tx:
        idp.add_client_id(tx, call.account_id, arn, resource, p["ClientID"])
    return None


def remove_client_id_from_open_id_connect_provider(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:RemoveClientIDFromOpenIDConnectProvider", arn)
    with call.services.store.write() as tx:
        idp.remove_client_id(tx, call.account_id, arn, resource, p["ClientID"])
    return None


def update_open_id_connect_provider_thumbprint(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:UpdateOpenIDConnectProviderThumbprint", arn)
    with call.services.store.write() as tx:
        idp.set_thumbprints(tx, call.account_id, arn, resource, p["ThumbprintList"])
    return None


def delete_open_id_connect_provider(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:DeleteOpenIDConnectProvider", arn)
    with call.services.store.write() as tx:
        idp.delete_oidc(tx, call.account_id, resource)
    return None


def tag_open_id_connect_provider(call: Call, p: Params) -> Result:
    arn, tags = p["OpenIDConnectProviderArn"], tags_from_params(p["Tags"])
    resource = _existing_oidc(call, "iam:TagOpenIDConnectProvider", arn,
                              request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = idp.get_oidc(tx, call.account_id, arn, resource)
        idp.tag(tx, call.account_id, rec.provider_id, tags, "OpenIDConnectProvider")
    return None


def untag_open_id_connect_provider(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:UntagOpenIDConnectProvider", arn,
                              {"aws:TagKeys": tuple(p["TagKeys"])})
    with call.services.store.write() as tx:
        rec = idp.get_oidc(tx, call.account_id, arn, resource)
        idp.untag(tx, call.account_id, rec.provider_id, p["TagKeys"])
    return None


def list_open_id_connect_provider_tags(call: Call, p: Params) -> Result:
    arn = p["OpenIDConnectProviderArn"]
    resource = _existing_oidc(call, "iam:ListOpenIDConnectProviderTags", arn)
    with call.services.store.read() as tx:
        rec = idp.get_oidc(tx, call.account_id, arn, resource)
        tags = tx.tags_of(rec.provider_id)
    return tag_page(tags, p)


OPERATIONS: dict[str, Handler] = {
    "CreateSAMLProvider": create_saml_provider,
    "GetSAMLProvider": get_saml_provider,
    "ListSAMLProviders": list_saml_providers,
    "UpdateSAMLProvider": update_saml_provider,
    "DeleteSAMLProvider": delete_saml_provider,
    "TagSAMLProvider": tag_saml_provider,
    "UntagSAMLProvider": untag_saml_provider,
    "ListSAMLProviderTags": list_saml_provider_tags,
    "CreateOpenIDConnectProvider": create_open_id_connect_provider,
    "GetOpenIDConnectProvider": get_open_id_connect_provider,
    "ListOpenIDConnectProviders": list_open_id_connect_providers,
    "AddClientIDToOpenIDConnectProvider": add_client_id_to_open_id_connect_provider,
    "RemoveClientIDFromOpenIDConnectProvider": remove_client_id_from_open_id_connect_provider,
    "UpdateOpenIDConnectProviderThumbprint": update_open_id_connect_provider_thumbprint,
    "DeleteOpenIDConnectProvider": delete_open_id_connect_provider,
    "TagOpenIDConnectProvider": tag_open_id_connect_provider,
    "UntagOpenIDConnectProvider": untag_open_id_connect_provider,
    "ListOpenIDConnectProviderTags": list_open_id_connect_provider_tags,
}
