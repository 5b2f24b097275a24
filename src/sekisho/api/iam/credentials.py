"""IAM operations on a user's other credentials: signing certificates (for a named
user or, without UserName, the caller, root included), SSH public keys and
service-specific credentials."""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.policies import user_target
from sekisho.domain import credentials as creds
from sekisho.domain import users
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.errors import InvalidInput
from sekisho.store.credentials import ServiceCredentialRecord
from sekisho.store.sql import Tx


def _authorize(call: Call, action: str, user_name: str | None) -> None:
    """Authorizes `action` on the named user as it is now (its path and tags), or on the
    caller itself when the request names no user."""
    if user_name is None:
        call.authorize(action, call.caller.arn)
        return
    resource, context = user_target(call, user_name)
    call.authorize(action, resource, context=context)


def _owner(call: Call, tx: Tx, user_name: str | None) -> tuple[str | None, str | None]:
    """(user id or None for root, user name as AWS reports it) of the credential's owner."""
    if user_name is None:
        if call.caller.is_root:
            return None, None
        user_name = call.caller.user_name or ""
    rec = users.get_user(tx, call.account_id, user_name)
    return rec.user_id, rec.name


def _user(call: Call, tx: Tx, user_name: str | None) -> tuple[str, str]:
    """The IAM user that SSH keys and service credentials belong to (never root)."""
    rec = users.get_user(tx, call.account_id, user_name or call.caller.user_name or "")
    return rec.user_id, rec.name


def _page(items: list[dict[str, Any]], key: str, p: Params) -> Result:
    # Each user holds a handful of these; a page is a slice and the marker its start.
    limit = p.get("MaxItems", DEFAULT_MAX_ITEMS)
    start = int(p["Marker"]) if str(p.get("Marker", "")).isdigit() else 0
    out: dict[str, Any] = {key: items[start:start + limit],
                           "IsTruncated": start + limit < len(items)}
    if start + limit < len(items):
        out["Marker"] = str(start + limit)
    return out


# --- signing certificates


def upload_signing_certificate(call: Call, p: Params) -> Result:
    _authorize(call, "iam:UploadSigningCertificate", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, user_name = _owner(call, tx, p.get("UserName"))
        rec = creds.upload_signing_certificate(tx, call.account_id, user_id,
                                               p["CertificateBody"], call.now)
    return {"Certificate": _certificate(rec.certificate_id, rec.body, rec.status,
                                        rec.uploaded_at, user_name)}


def _certificate(certificate_id: str, body: str, status: str, uploaded: object,
                 user_name: str | None) -> dict[str, Any]:
    out = {"CertificateId": certificate_id, "CertificateBody": body, "Status": status,
           "UploadDate": uploaded}
    if user_name:
        out["UserName"] = user_name
    return out


def list_signing_certificates(call: Call, p: Params) -> Result:
    _authorize(call, "iam:ListSigningCertificates", p.get("UserName"))
    with call.services.store.read() as tx:
        user_id, user_name = _owner(call, tx, p.get("UserName"))
        certs = creds.signing_certificates_of(tx, call.account_id, user_id)
    items = [_certificate(c.certificate_id, c.body, c.status, c.uploaded_at, user_name)
             for c in certs]
    return _page(items, "Certificates", p)


def update_signing_certificate(call: Call, p: Params) -> Result:
    _authorize(call, "iam:UpdateSigningCertificate", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, _ = _owner(call, tx, p.get("UserName"))
        creds.update_signing_certificate(tx, call.account_id, user_id, p["CertificateId"],
                                         p["Status"])
    return None


def delete_signing_certificate(call: Call, p: Params) -> Result:
    _authorize(call, "iam:DeleteSigningCertificate", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, _ = _owner(call, tx, p.get("UserName"))
        creds.delete_signing_certificate(tx, call.account_id, user_id, p["CertificateId"])
    return None


# --- SSH public keys


def _ssh_key(key_id: str, user_name: str, body: str, fingerprint: str, status: str,
             uploaded: object) -> dict[str, Any]:
    return {"UserName": user_name, "SSHPublicKeyId": key_id, "Fingerprint": fingerprint,
            "SSHPublicKeyBody": body, "Status": status, "UploadDate": uploaded}


def upload_ssh_public_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:UploadSSHPublicKey", p["UserName"])
    with call.services.store.write() as tx:
        user_id, user_name = _user(call, tx, p["UserName"])
        rec = creds.upload_ssh_key(tx, call.account_id, user_id, p["SSHPublicKeyBody"],
                                   call.now)
    return {"SSHPublicKey": _ssh_key(rec.key_id, user_name, rec.body, rec.fingerprint,
                                     rec.status, rec.uploaded_at)}


def get_ssh_public_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:GetSSHPublicKey", p["UserName"])
    with call.services.store.read() as tx:
        user_id, user_name = _user(call, tx, p["UserName"])
        rec = creds.owned_ssh_key(tx, user_id, p["SSHPublicKeyId"])
    body = creds.parse_ssh_key(rec.body).encoded(p["Encoding"])
    return {"SSHPublicKey": _ssh_key(rec.key_id, user_name, body, rec.fingerprint,
                                     rec.status, rec.uploaded_at)}


def list_ssh_public_keys(call: Call, p: Params) -> Result:
    _authorize(call, "iam:ListSSHPublicKeys", p.get("UserName"))
    if p.get("UserName") is None and call.caller.is_root:
        return {"SSHPublicKeys": [], "IsTruncated": False}  # root holds no SSH keys
    with call.services.store.read() as tx:
        user_id, user_name = _user(call, tx, p.get("UserName"))
        keys = creds.ssh_keys_of(tx, user_id)
    items = [{"UserName": user_name, "SSHPublicKeyId": k.key_id, "Status": k.status,
              "UploadDate": k.uploaded_at} for k in keys]
    return _page(items, "SSHPublicKeys", p)


def update_ssh_public_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:UpdateSSHPublicKey", p["UserName"])
    with call.services.store.write() as tx:
        user_id, _ = _user(call, tx, p["UserName"])
        creds.update_ssh_key(tx, call.account_id, user_id, p["SSHPublicKeyId"], p["Status"])
    return None


def delete_ssh_public_key(call: Call, p: Params) -> Result:
    _authorize(call, "iam:DeleteSSHPublicKey", p["UserName"])
    with call.services.store.write() as tx:
        user_id, _ = _user(call, tx, p["UserName"])
        creds.delete_ssh_key(tx, call.account_id, user_id, p["SSHPublicKeyId"])
    return None


# --- service-specific credentials


def _service_credential(call: Call, rec: ServiceCredentialRecord, user_name: str,
                        secret: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"UserName": user_name, "Status": creds.status_of(rec, call.now),
                           "ServiceSpecificCredentialId": rec.credential_id,
                           "CreateDate": rec.created_at, "ServiceName": rec.service_name}
    if creds.is_api_key(rec):
        out["ServiceCredentialAlias"] = rec.service_user_name
        if secret is not None:
            out["ServiceCredentialSecret"] = secret
    else:
        out["ServiceUserName"] = rec.service_user_name
        if secret is not None:
            out["ServicePassword"] = secret
    if rec.expires_at is not None:
        out["ExpirationDate"] = rec.expires_at
    return out


def create_service_specific_credential(call: Call, p: Params) -> Result:
    _authorize(call, "iam:CreateServiceSpecificCredential", p["UserName"])
    with call.services.store.write() as tx:
        user_id, user_name = _user(call, tx, p["UserName"])
        issued = creds.create_service_credential(
            tx, call.services.box, call.account_id, user_id, user_name, p["ServiceName"],
            p.get("CredentialAgeDays"), call.now)
    return {"ServiceSpecificCredential": _service_credential(call, issued.record, user_name,
                                                             issued.secret)}


def list_service_specific_credentials(call: Call, p: Params) -> Result:
    _authorize(call, "iam:ListServiceSpecificCredentials", p.get("UserName"))
    all_users = bool(p.get("AllUsers"))
    if all_users and p.get("UserName") is not None:
        raise InvalidInput("AllUsers cannot be specified together with UserName.")
    if not all_users and p.get("UserName") is None and call.caller.is_root:
        # The root user holds no service-specific credentials of its own.
        return {"ServiceSpecificCredentials": [], "IsTruncated": False}
    with call.services.store.read() as tx:
        user_id = None if all_users else _user(call, tx, p.get("UserName"))[0]
        records = creds.list_service_credentials(tx, call.account_id, user_id,
                                                 p.get("ServiceName"))
        names = {r.user_id: _name_of(tx, r.user_id) for r in records}
    items = [_service_credential(call, r, names[r.user_id]) for r in records]
    return _page(items, "ServiceSpecificCredentials", p)


def _name_of(tx: Tx, user_id: str) -> str:
    rec = tx.user_by_id(user_id)
    return rec.name if rec else ""


def reset_service_specific_credential(call: Call, p: Params) -> Result:
    _authorize(call, "iam:ResetServiceSpecificCredential", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, user_name = _user(call, tx, p.get("UserName"))
        issued = creds.reset_service_credential(tx, call.services.box, call.account_id,
                                                user_id, p["ServiceSpecificCredentialId"])
    return {"ServiceSpecificCredential": _service_credential(call, issued.record, user_name,
                                                             issued.secret)}


def update_service_specific_credential(call: Call, p: Params) -> Result:
    _authorize(call, "iam:UpdateServiceSpecificCredential", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, _ = _user(call, tx, p.get("UserName"))
        creds.update_service_credential(tx, call.account_id, user_id,
                                        p["ServiceSpecificCredentialId"], p["Status"])
    return None


def delete_service_specific_credential(call: Call, p: Params) -> Result:
    _authorize(call, "iam:DeleteServiceSpecificCredential", p.get("UserName"))
    with call.services.store.write() as tx:
        user_id, _ = _user(call, tx, p.get("UserName"))
        creds.delete_service_credential(tx, call.account_id, user_id,
                                        p["ServiceSpecificCredentialId"])
    return None


OPERATIONS: dict[str, Handler] = {
    "UploadSigningCertificate": upload_signing_certificate,
    "ListSigningCertificates": list_signing_certificates,
    "UpdateSigningCertificate": update_signing_certificate,
    "DeleteSigningCertificate": delete_signing_certificate,
    "UploadSSHPublicKey": upload_ssh_public_key,
    "GetSSHPublicKey": get_ssh_public_key,
    "ListSSHPublicKeys": list_ssh_public_keys,
    "UpdateSSHPublicKey": update_ssh_public_key,
    "DeleteSSHPublicKey": delete_ssh_public_key,
    "CreateServiceSpecificCredential": create_service_specific_credential,
    "ListServiceSpecificCredentials": list_service_specific_credentials,
    "ResetServiceSpecificCredential": reset_service_specific_credential,
    "UpdateServiceSpecificCredential": update_service_specific_credential,
    "DeleteServiceSpecificCredential": delete_service_specific_credential,
}
