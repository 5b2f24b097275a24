"""Identity providers: SAML 2.0 providers and OpenID Connect providers (IAM API
reference, CreateSAMLProvider, CreateOpenIDConnectProvider and siblings).

A SAML provider holds its IdP's metadata document, checked here: well-formed
XML without a DTD or entities (read with expat, which never fetches anything
and here refuses any DOCTYPE), an `EntityDescriptor` with an
`IDPSSODescriptor` that names at least one signing certificate that parses.
It may also hold up to two private keys for decrypting assertions, sealed
under the master key. An OIDC provider is its URL (`https://` only; its host
and path form the ARN), up to 100 client ids and up to 5 thumbprints (optional
since AWS trusts well-known root CAs itself). Quotas: 100 of each per account.
Their use in federation comes later; here they are stored and checked.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import xml.parsers.expat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from sekisho.domain.secretbox import SecretBox
from sekisho.domain.tags import check_tag_count
from sekisho.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from sekisho.store import providers as stored
from sekisho.store.errors import Conflict
from sekisho.store.providers import OidcProviderRecord, SamlPrivateKeyRecord, SamlProviderRecord
from sekisho.store.records import Tag
from sekisho.store.sql import Tx

MAX_SAML_PROVIDERS = 100
MAX_OIDC_PROVIDERS = 100
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
MAX_SAML_PRIVATE_KEYS = 2

_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
_DS = "http://www.w3.org/2000/09/xmldsig#"
_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")
_UNPARSABLE = "Could not parse metadata."


# --- SAML metadata


@dataclass(frozen=True)
class SamlMetadata:
    entity_id: str
    valid_until: datetime | None
    signing_certificates: tuple[x509.Certificate, ...]


class _Reader:
    """Collects what the checks need while expat reads; refuses DTDs and entities."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.root: str | None = None
        self.entity_id = ""
        self.valid_until: str | None = None
        self.idp = False
        self.key_use: str | None = None
        self.in_cert = False
        self.cert_text: list[str] = []
        self.certs: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            self.entity_id = attrs.get("entityID", "")
            self.valid_until = attrs.get("validUntil")
        if name == f"{_MD} IDPSSODescriptor":
            self.idp = True
        elif name == f"{_MD} KeyDescriptor" and f"{_MD} IDPSSODescriptor" in self.stack:
            self.key_use = attrs.get("use", "signing")
        elif name == f"{_DS} X509Certificate" and self.key_use == "signing":
            self.in_cert, self.cert_text = True, []
        self.stack.append(name)

    def end(self, name: str) -> None:
        self.stack.pop()
        if name == f"{_DS} X509Certificate" and self.in_cert:
            self.in_cert = False
            self.certs.append("".join(self.cert_text))
        elif name == f"{_MD} KeyDescriptor":
            self.key_use = None

    def text(self, data: str) -> None:
        if self.in_cert:
            self.cert_text.append(data)

    def refuse(self, *_: object) -> None:
        raise InvalidInput(_UNPARSABLE)


def parse_metadata(document: str) -> SamlMetadata:
    """Checks a SAML metadata document; InvalidInput with AWS's wording when it fails."""
    reader = _Reader()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    # No DTD, no entity declarations, nothing external: the billion-laughs and XXE
    # attacks both need one of these.
    parser.StartDoctypeDeclHandler = reader.refuse
    parser.EntityDeclHandler = reader.refuse
    parser.ExternalEntityRefHandler = reader.refuse  # type: ignore[assignment]
    try:
        parser.Parse(document.encode("utf-8"), True)
    except (xml.parsers.expat.ExpatError, ValueError, UnicodeError):
        raise InvalidInput(_UNPARSABLE) from None
    if reader.root != f"{_MD} EntityDescriptor" or not reader.idp:
        raise InvalidInput(_UNPARSABLE)
    certs = []
    for text in reader.certs:
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode("".join(text.split()),
                                                                         validate=True)))
        except (ValueError, binascii.Error):
            raise InvalidInput(_UNPARSABLE) from None
    if not certs:
        raise InvalidInput("The metadata document must contain a signing certificate for "
                           "the identity provider.")
    return SamlMetadata(reader.entity_id, _timestamp(reader.valid_until), tuple(certs))


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # Stored in UTC: "9999-12-31T23:59:59-14:00" is in year 10000 there, which
        # neither Python nor PostgreSQL can hold.
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(_UNPARSABLE) from None


# --- SAML providers


def saml_not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Manifest not found for arn {arn}")


def _valid_until(meta: SamlMetadata, now: datetime) -> datetime:
    # Without a validUntil in the document, AWS reports a date a hundred years on.
    if meta.valid_until is not None:
        return meta.valid_until
    try:
        return now.replace(year=now.year + 100)
    except ValueError:  # 29 February
        return now.replace(year=now.year + 100, day=28)


def _check_private_key(pem: str) -> None:
    try:
        serialization.load_pem_private_key(pem.encode("latin-1"), None)
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm):
        raise InvalidInput("Invalid private key: Key format is not recognized.") from None


def _new_key(box: SecretBox, provider_id: str, pem: str, now: datetime) -> SamlPrivateKeyRecord:
    _check_private_key(pem)
    key_id = base64.b32encode(secrets.token_bytes(20)).decode("ascii")[:26]
    return SamlPrivateKeyRecord(key_id, provider_id,
                                box.seal(pem.encode("latin-1"), key_id.encode("ascii")), now)


def create_saml(tx: Tx, box: SecretBox, account_id: str, name: str, document: str,
                private_key: str | None, encryption_mode: str | None, tags: Sequence[Tag],
                now: datetime) -> SamlProviderRecord:
    """Raises InvalidInput, LimitExceeded (100 providers, tags) and EntityAlreadyExists."""
    meta = parse_metadata(document)
    if encryption_mode == "Required" and private_key is None:
        raise InvalidInput("Assertion encryption can't be Required because no private key "
                           "is provided.")
    check_tag_count((), tags, "SAMLProvider")
    if stored.count_saml(tx, account_id) >= MAX_SAML_PROVIDERS:
        raise LimitExceeded(f"Cannot exceed quota for SAMLProvidersPerAccount: "
                            f"{MAX_SAML_PROVIDERS}")
    provider_id = "SAML" + base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:18]
    rec = SamlProviderRecord(provider_id, account_id, name, document, encryption_mode,
                             _valid_until(meta, now), now)
    key = _new_key(box, provider_id, private_key, now) if private_key is not None else None
    try:
        stored.insert_saml(tx, rec)
    except Conflict:
        raise EntityAlreadyExists(f"SAMLProvider {name} already exists.") from None
    if key is not None:
        stored.insert_saml_key(tx, key)
    tx.put_tags(provider_id, tags)
    tx.bump_generation(account_id)
    return rec


def find_saml(tx: Tx, account_id: str, name: str) -> SamlProviderRecord | None:
    return stored.saml_by_name(tx, account_id, name)


def saml_private_keys(tx: Tx, provider_id: str) -> list[SamlPrivateKeyRecord]:
    return stored.saml_keys(tx, provider_id)


def list_saml(tx: Tx, account_id: str) -> list[SamlProviderRecord]:
    return stored.saml_list(tx, account_id)


def get_saml(tx: Tx, account_id: str, arn: str, name: str) -> SamlProviderRecord:
    rec = stored.saml_by_name(tx, account_id, name)
    if rec is None:
        raise saml_not_found(arn)
    return rec


def update_saml(tx: Tx, box: SecretBox, account_id: str, arn: str, name: str,
                document: str | None, add_key: str | None, remove_key: str | None,
                encryption_mode: str | None, now: datetime) -> SamlProviderRecord:
    """Replaces the document, adds or removes a private key, sets the encryption mode.

    Raises NoSuchEntity, InvalidInput (nothing to do, a bad document or key, a
    key id it lacks, Required without a key) and LimitExceeded (a third key).
    """
    if document is None and add_key is None and remove_key is None and encryption_mode is None:
        raise InvalidInput("No updates are defined for the SAML provider.")
    if add_key is not None and remove_key is not None:
        raise InvalidInput("Unable to add and remove private keys in the same request.")
    rec = get_saml(tx, account_id, arn, name)
    values: dict[str, object] = {}
    if document is not None:
        meta = parse_metadata(document)
        values.update(metadata_document=document, valid_until=_valid_until(meta, now))
    keys = stored.saml_keys(tx, rec.provider_id)
    if add_key is not None:
        if len(keys) >= MAX_SAML_PRIVATE_KEYS:
            raise LimitExceeded(f"Private key limit of {MAX_SAML_PRIVATE_KEYS} is reached.")
        new = _new_key(box, rec.provider_id, add_key, now)
        stored.insert_saml_key(tx, new)
        keys.append(new)
    mode = encryption_mode or rec.encryption_mode
    if remove_key is not None:
        if remove_key not in {k.key_id for k in keys}:
            raise InvalidInput("Failed to remove private key: the Key ID does not match a "
                               "private key of the SAML provider.")
        if mode == "Required" and len(keys) == 1:
            raise InvalidInput("Failed to remove private key. Assertion encryption is "
                               "Required, so the provider must keep one private key.")
        stored.delete_saml_key(tx, rec.provider_id, remove_key)
        keys = [k for k in keys if k.key_id != remove_key]
    if encryption_mode is not None:
        if encryption_mode == "Required" and not keys:
            raise InvalidInput("Assertion encryption can't be Required because no private "
                               "key is provided.")
        values["encryption_mode"] = encryption_mode
    if values:
        stored.update_saml(tx, rec.provider_id, **values)
    tx.bump_generation(account_id)
    return get_saml(tx, account_id, arn, name)


def delete_saml(tx: Tx, account_id: str, arn: str, name: str) -> None:
    rec = get_saml(tx, account_id, arn, name)
    stored.delete_saml(tx, rec.provider_id)
    tx.remove_tags(rec.provider_id, [t.key for t in tx.tags_of(rec.provider_id)])
    tx.bump_generation(account_id)


# --- OpenID Connect providers


def oidc_not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")


def oidc_resource(url: str) -> str:
    """The host and path an OIDC provider URL names (its ARN's resource); InvalidInput
    unless it is an `https://` URL without port, query or fragment."""
    invalid = InvalidInput("The URL must begin with https:// and have no port, query or "
                           "fragment.")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is no number or out of range
    except ValueError:  # also an unbalanced "[" in the host
        raise invalid from None
    if (parts.scheme.lower() != "https" or not parts.hostname or port is not None
            or parts.query or parts.fragment or parts.username or parts.password):
        raise invalid
    return (parts.netloc + parts.path).rstrip("/")


def check_client_ids(client_ids: Sequence[str]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(client_ids))
    if len(unique) > MAX_CLIENT_IDS:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                            f"{MAX_CLIENT_IDS}")
    return unique


def check_thumbprints(thumbprints: Sequence[str]) -> tuple[str, ...]:
    for thumbprint in thumbprints:
        if not _THUMBPRINT.match(thumbprint):
            raise InvalidInput(f"Thumbprint {thumbprint} is not a 40-character hexadecimal "
                               "SHA-1 digest.")
    unique = tuple(dict.fromkeys(t.lower() for t in thumbprints))
    if len(unique) > MAX_THUMBPRINTS:
        raise LimitExceeded(f"Thumbprint list must contain fewer than {MAX_THUMBPRINTS + 1} "
                            "entries.")
    return unique


def create_oidc(tx: Tx, account_id: str, url: str,
                client_ids: Sequence[str], thumbprints: Sequence[str], tags: Sequence[Tag],
                now: datetime) -> OidcProviderRecord:
    """Raises InvalidInput, LimitExceeded and EntityAlreadyExists (same host and path)."""
    resource = oidc_resource(url)
    provider_id = "OIDC" + base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:18]
    rec = OidcProviderRecord(provider_id, account_id, "https://" + resource, resource,
                             check_client_ids(client_ids), check_thumbprints(thumbprints), now)
    check_tag_count((), tags, "OpenIDConnectProvider")
    if stored.count_oidc(tx, account_id) >= MAX_OIDC_PROVIDERS:
        raise LimitExceeded(f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: "
                            f"{MAX_OIDC_PROVIDERS}")
    try:
        stored.insert_oidc(tx, rec)
    except Conflict:
        raise EntityAlreadyExists(f"Provider with url {url} already exists.") from None
    tx.put_tags(provider_id, tags)
    tx.bump_generation(account_id)
    return rec


def find_oidc(tx: Tx, account_id: str, resource: str) -> OidcProviderRecord | None:
    return stored.oidc_by_resource(tx, account_id, resource)


def list_oidc(tx: Tx, account_id: str) -> list[OidcProviderRecord]:
    return stored.oidc_list(tx, account_id)


def get_oidc(tx: Tx, account_id: str, arn: str, resource: str) -> OidcProviderRecord:
    rec = stored.oidc_by_resource(tx, account_id, resource)
    if rec is None:
        raise oidc_not_found(arn)
    return rec


def add_client_id(tx: Tx, account_id: str, arn: str, resource: str, client_id: str) -> None:
    """Adds a client id; one the provider has already is left as it is."""
    rec = get_oidc(tx, account_id, arn, resource)
    ids = check_client_ids((*rec.client_ids, client_id))
    stored.set_oidc_lists(tx, rec.provider_id, ids, rec.thumbprints)
    tx.bump_generation(account_id)


def remove_client_id(tx: Tx, account_id: str, arn: str, resource: str, client_id: str) -> None:
    """Removes a client id; one the provider lacks is ignored, as AWS does."""
    rec = get_oidc(tx, account_id, arn, resource)
    ids = tuple(c for c in rec.client_ids if c != client_id)
    stored.set_oidc_lists(tx, rec.provider_id, ids, rec.thumbprints)
    tx.bump_generation(account_id)


def set_thumbprints(tx: Tx, account_id: str, arn: str, resource: str,
                    thumbprints: Sequence[str]) -> None:
    checked = check_thumbprints(thumbprints)
    rec = get_oidc(tx, account_id, arn, resource)
    stored.set_oidc_lists(tx, rec.provider_id, rec.client_ids, checked)
    tx.bump_generation(account_id)


def delete_oidc(tx: Tx, account_id: str, resource: str) -> None:
    """Deletes the provider; a provider that does not exist is no error
    (DeleteOpenIDConnectProvider: "This operation is idempotent")."""
    rec = stored.oidc_by_resource(tx, account_id, resource)
    if rec is None:
        return
    stored.delete_oidc(tx, rec.provider_id)
    tx.remove_tags(rec.provider_id, [t.key for t in tx.tags_of(rec.provider_id)])
    tx.bump_generation(account_id)


def tag(tx: Tx, account_id: str, entity_id: str, tags: Sequence[Tag], kind: str) -> None:
    check_tag_count(tx.tags_of(entity_id), tags, kind)
    tx.put_tags(entity_id, tags)
    tx.bump_generation(account_id)


def untag(tx: Tx, account_id: str, entity_id: str, keys: Sequence[str]) -> None:
    tx.remove_tags(entity_id, keys)
    tx.bump_generation(account_id)
