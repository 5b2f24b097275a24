"""IAM operations on server certificates: upload, get, list, rename/move, delete, tags.

The private key is never part of any response. Operations on an existing
certificate read it first (without failing), authorize against its real ARN
and tags, then act, so that "forbidden" still comes before "not found".
"""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.api.iam.tagging import request_tag_context, resource_tag_context, tag_page
from sekisho.domain import arns
from sekisho.domain import server_certificates as certs
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS
from sekisho.domain.tags import as_output, tags_from_params
from sekisho.store.records import Tag
from sekisho.store.server_certificates import ServerCertificateRecord


def _arn(call: Call, path: str, name: str) -> str:
    return arns.iam(call.partition, call.account_id, f"server-certificate{path}{name}")


def _metadata(call: Call, rec: ServerCertificateRecord) -> dict[str, Any]:
    return {"Path": rec.path, "ServerCertificateName": rec.name,
            "ServerCertificateId": rec.certificate_id, "Arn": _arn(call, rec.path, rec.name),
            "UploadDate": rec.uploaded_at, "Expiration": rec.expires_at}


def _authorize_existing(call: Call, action: str, name: str,
                        extra: dict[str, Any] | None = None) -> None:
    with call.services.store.read() as tx:
        rec = certs.find(tx, call.account_id, name)
        tags: list[Tag] = tx.tags_of(rec.certificate_id) if rec else []
    context = resource_tag_context(tags)
    context.update(extra or {})
    call.authorize(action, _arn(call, rec.path if rec else "/", rec.name if rec else name),
                   context=context)


def upload_server_certificate(call: Call, p: Params) -> Result:
    name, path = p["ServerCertificateName"], p.get("Path", "/")
    tags = tags_from_params(p.get("Tags"))
    call.authorize("iam:UploadServerCertificate", _arn(call, path, name),
                   context=request_tag_context(tags))
    with call.services.store.write() as tx:
        rec = certs.upload(tx, call.services.box, call.account_id, name, path,
                           p["CertificateBody"], p["PrivateKey"], p.get("CertificateChain"),
                           tags, call.now)
    out: dict[str, Any] = {"ServerCertificateMetadata": _metadata(call, rec)}
    if tags:
        out["Tags"] = as_output(tags)
    return out


def get_server_certificate(call: Call, p: Params) -> Result:
    name = p["ServerCertificateName"]
    _authorize_existing(call, "iam:GetServerCertificate", name)
    with call.services.store.read() as tx:
        rec = certs.get(tx, call.account_id, name)
        tags = tx.tags_of(rec.certificate_id)
    out: dict[str, Any] = {"ServerCertificateMetadata": _metadata(call, rec),
                           "CertificateBody": rec.body}
    if rec.chain:
        out["CertificateChain"] = rec.chain
    if tags:
        out["Tags"] = as_output(tags)
    return {"ServerCertificate": out}


def list_server_certificates(call: Call, p: Params) -> Result:
    # ListServerCertificates names no resource type in the Service Authorization Reference.
    call.authorize("iam:ListServerCertificates", "*")
    with call.services.store.read() as tx:
        page = certs.listed(tx, call.account_id, p.get("PathPrefix", "/"), p.get("Marker"),
                            p.get("MaxItems", DEFAULT_MAX_ITEMS))
    out: dict[str, Any] = {"ServerCertificateMetadataList":
                           [_metadata(call, c) for c in page.items],
                           "IsTruncated": page.is_truncated}
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def update_server_certificate(call: Call, p: Params) -> Result:
    name = p["ServerCertificateName"]
    _authorize_existing(call, "iam:UpdateServerCertificate", name)
    new_name = p.get("NewServerCertificateName")
    if new_name:
        # AWS authorizes a rename against the new name as well (UpdateServerCertificate).
        call.authorize("iam:UpdateServerCertificate",
                       _arn(call, p.get("NewPath") or "/", new_name))
    with call.services.store.write() as tx:
        certs.update(tx, call.account_id, name, new_name, p.get("NewPath"))
    return None


def delete_server_certificate(call: Call, p: Params) -> Result:
    name = p["ServerCertificateName"]
    _authorize_existing(call, "iam:DeleteServerCertificate", name)
    with call.services.store.write() as tx:
        certs.delete(tx, call.account_id, name)
    return None


def tag_server_certificate(call: Call, p: Params) -> Result:
    name = p["ServerCertificateName"]
    tags = tags_from_params(p["Tags"])
    _authorize_existing(call, "iam:TagServerCertificate", name, request_tag_context(tags))
    with call.services.store.write() as tx:
        certs.tag(tx, call.account_id, name, tags)
    return None


def untag_server_certificate(call: Call, p: Params) -> Result:
    name = p["ServerCertificateName"]
    _authorize_existing(call, "iam:UntagServerCertificate", name,
                        {"aws:TagKeys": tuple(p["TagKeys"])})
    with call.services.store.write() as tx:
        certs.untag(tx, call.account_id, name, p["TagKeys"])
    return None


def list_server_certificate_tags(call: Call, p: Params) -> Result:
    name = p["ServerCertificateName"]
    _authorize_existing(call, "iam:ListServerCertificateTags", name)
    with call.services.store.read() as tx:
        rec = certs.get(tx, call.account_id, name)
        tags = tx.tags_of(rec.certificate_id)
    return tag_page(tags, p)


OPERATIONS: dict[str, Handler] = {
    "UploadServerCertificate": upload_server_certificate,
    "GetServerCertificate": get_server_certificate,
    "ListServerCertificates": list_server_certificates,
    "UpdateServerCertificate": update_server_certificate,
    "DeleteServerCertificate": delete_server_certificate,
    "TagServerCertificate": tag_server_certificate,
    "UntagServerCertificate": untag_server_certificate,
    "ListServerCertificateTags": list_server_certificate_tags,
}
