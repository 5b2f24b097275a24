"""Server certificates (IAM API reference, UploadServerCertificate and siblings).

A certificate is uploaded with its private key and an optional chain, all
PEM. The key must match the certificate (KeyPairMismatch) and is sealed under
the master key, bound to the certificate id; no operation ever returns it.
The chain must start with the certificate's issuer, each next certificate
issuing the one before. At most 20 per account (IAM quotas).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from sekisho.domain import ids
from sekisho.domain.credentials import parse_certificate, parse_pem_certificates
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.secretbox import SecretBox
from sekisho.domain.tags import check_tag_count
from sekisho.errors import (
    EntityAlreadyExists,
    KeyPairMismatch,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
)
from sekisho.store import server_certificates as stored
from sekisho.store.errors import Conflict
from sekisho.store.records import Tag
from sekisho.store.server_certificates import ServerCertificateRecord
from sekisho.store.sql import Tx

PREFIX = "ASCA"
MAX_PER_ACCOUNT = 20

_BAD_CHAIN = ("Unable to validate certificate chain. The certificate chain must start with "
              "the immediate signing certificate, followed by any intermediaries in order. "
              "The index within the chain of the invalid certificate is: {index}")


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Server Certificate with name {name} cannot be found.")


def _exists(name: str) -> EntityAlreadyExists:
    return EntityAlreadyExists(f"The Server Certificate with name {name} already exists.")


def _check_key(cert: x509.Certificate, private_key_pem: str) -> None:
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode("latin-1"), None)
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm):
        # The key's text is never repeated back: it is the one secret here.
        raise MalformedCertificate("Unable to parse private key. Please ensure the private "
                                   "key is an unencrypted PEM key.") from None
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise KeyPairMismatch("The public key certificate and the private key do not match.")


def _check_chain(cert: x509.Certificate, chain_pem: str) -> None:
    chain = parse_pem_certificates(chain_pem)
    child = cert
    for position, issuer in enumerate(chain):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            # AWS counts the certificate itself as index 0 of the chain.
            raise MalformedCertificate(_BAD_CHAIN.format(index=position + 1)) from None
        child = issuer


def upload(tx: Tx, box: SecretBox, account_id: str, name: str, path: str, body: str,
           private_key: str, chain: str | None, tags: Sequence[Tag],
           now: datetime) -> ServerCertificateRecord:
    """Stores a server certificate; its expiration is the certificate's Not After.

    Raises MalformedCertificate, InvalidCertificate, KeyPairMismatch,
    LimitExceeded (tags or more than 20 certificates) and EntityAlreadyExists.
    """
    cert = parse_certificate(body, now)
    _check_key(cert, private_key)
    if chain:
        _check_chain(cert, chain)
    check_tag_count((), tags, "ServerCertificate")
    if stored.count(tx, account_id) >= MAX_PER_ACCOUNT:
        raise LimitExceeded(f"Cannot exceed quota for ServerCertificatesPerAccount: "
                            f"{MAX_PER_ACCOUNT}")
    certificate_id = ids.unique_id(PREFIX)
    sealed = box.seal(private_key.encode("latin-1"), certificate_id.encode("ascii"))
    rec = ServerCertificateRecord(certificate_id, account_id, name, path, body, chain, sealed,
                                  cert.not_valid_after_utc, now)
    try:
        stored.insert(tx, rec)
    except Conflict:
        raise _exists(name) from None
    tx.put_tags(certificate_id, tags)
    tx.bump_generation(account_id)
    return rec


def find(tx: Tx, account_id: str, name: str) -> ServerCertificateRecord | None:
    return stored.by_name(tx, account_id, name)


def get(tx: Tx, account_id: str, name: str) -> ServerCertificateRecord:
    rec = stored.by_name(tx, account_id, name)
    if rec is None:
        raise not_found(name)
    return rec


def listed(tx: Tx, account_id: str, path_prefix: str, marker: str | None,
           max_items: int) -> Page[ServerCertificateRecord]:
    rows = stored.listed(tx, account_id, path_prefix, decode_marker(marker), max_items + 1)
    return page_of(rows, max_items, lambda c: c.name.lower())


def update(tx: Tx, account_id: str, name: str, new_name: str | None,
           new_path: str | None) -> None:
    """Renames and/or moves; EntityAlreadyExists when the new name is taken."""
    rec = get(tx, account_id, name)
    target = new_name or rec.name
    try:
        stored.rename(tx, rec.certificate_id, target, new_path or rec.path)
    except Conflict:
        raise _exists(target) from None
    tx.bump_generation(account_id)


def delete(tx: Tx, account_id: str, name: str) -> None:
    # Nothing in Sekisho uses a server certificate, so DeleteConflict never applies.
    rec = get(tx, account_id, name)
    stored.remove(tx, rec.certificate_id)
    tx.remove_tags(rec.certificate_id, [t.key for t in tx.tags_of(rec.certificate_id)])
    tx.bump_generation(account_id)


def tag(tx: Tx, account_id: str, name: str, tags: Sequence[Tag]) -> None:
    rec = get(tx, account_id, name)
    check_tag_count(tx.tags_of(rec.certificate_id), tags, "ServerCertificate")
    tx.put_tags(rec.certificate_id, tags)
    tx.bump_generation(account_id)


def untag(tx: Tx, account_id: str, name: str, keys: Sequence[str]) -> None:
    rec = get(tx, account_id, name)
    tx.remove_tags(rec.certificate_id, keys)
    tx.bump_generation(account_id)
