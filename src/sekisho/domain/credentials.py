"""A user's other credentials: X.509 signing certificates, SSH public keys and
service-specific credentials (IAM API reference, UploadSigningCertificate,
UploadSSHPublicKey, CreateServiceSpecificCredential and their siblings).

Quotas (IAM User Guide, "IAM and AWS STS quotas"): 2 signing certificates per
user (and per root user), 5 SSH public keys per user, 2 service-specific
credentials per user per service. Certificates and keys are parsed with
`cryptography`; a service password is returned once and stored sealed under
the master key, bound to its credential id. Nothing secret reaches a message.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sekisho.domain import ids
from sekisho.domain.secretbox import SecretBox
from sekisho.errors import (
    DuplicateCertificate,
    DuplicateSSHPublicKey,
    InvalidCertificate,
    InvalidInput,
    InvalidPublicKey,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
    NotSupportedService,
    UnrecognizedPublicKeyEncoding,
)
from sekisho.store import credentials as stored
from sekisho.store.credentials import (
    ServiceCredentialRecord,
    SigningCertificateRecord,
    SSHPublicKeyRecord,
)
from sekisho.store.errors import Conflict
from sekisho.store.sql import Tx

MAX_SIGNING_CERTIFICATES = 2
MAX_SSH_KEYS = 5
MAX_SERVICE_CREDENTIALS = 2  # per user per service
MIN_RSA_BITS = 2048  # UploadSSHPublicKey: "The minimum bit-length of the public key is 2048"

SSH_KEY_PREFIX = "APKA"
SERVICE_CREDENTIAL_PREFIX = "ACCA"

# Services that issue a user name and password (CodeCommit Git credentials, Amazon
# Keyspaces), and those that issue a long-term API key with an optional expiry
# (Amazon Bedrock), per the CreateServiceSpecificCredential API reference.
PASSWORD_SERVICES = frozenset({"codecommit.amazonaws.com", "cassandra.amazonaws.com"})
API_KEY_SERVICES = {"bedrock.amazonaws.com": "BedrockAPIKey"}

_UNPARSABLE = "Unable to parse certificate. Please ensure the certificate is in PEM format."
_EXPIRED = ("Certificate is no longer valid. The 'Not After' date restriction on the "
            "certificate has passed.")


# --- certificates, shared with server certificates


def parse_certificate(body: str, now: datetime) -> x509.Certificate:
    """The one X.509 certificate PEM-encoded in `body`.

    Raises MalformedCertificate when it does not parse or has expired, and
    InvalidCertificate when its key is neither RSA nor EC.
    """
    certs = parse_pem_certificates(body)
    if len(certs) != 1:
        raise MalformedCertificate(_UNPARSABLE)
    cert = certs[0]
    if cert.not_valid_after_utc < now:
        raise MalformedCertificate(_EXPIRED)
    if not isinstance(cert.public_key(), rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise InvalidCertificate("The certificate's public key type is not supported.")
    return cert


def parse_pem_certificates(text: str) -> list[x509.Certificate]:
    """Every certificate PEM-encoded in `text`; MalformedCertificate when one does not parse."""
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise MalformedCertificate(_UNPARSABLE)
    try:
        return x509.load_pem_x509_certificates(text.encode("latin-1"))
    except ValueError:
        raise MalformedCertificate(_UNPARSABLE) from None


# --- signing certificates


def certificate_not_found(certificate_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Certificate with id {certificate_id} cannot be found.")


def upload_signing_certificate(tx: Tx, account_id: str, user_id: str | None, body: str,
                               now: datetime) -> SigningCertificateRecord:
    """Stores a certificate for the user (None: the root user), Active.

    Raises MalformedCertificate, InvalidCertificate, LimitExceeded (more than
    2) and DuplicateCertificate (the account holds it already).
    """
    cert = parse_certificate(body, now)
    if len(stored.certificates_of(tx, account_id, user_id)) >= MAX_SIGNING_CERTIFICATES:
        raise LimitExceeded("Cannot exceed quota for SigningCertificatesPerUser: "
                            f"{MAX_SIGNING_CERTIFICATES}")
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    # AWS certificate ids are 32 upper-case letters and digits.
    rec = SigningCertificateRecord(_base32_id(32), account_id, user_id, body, digest,
                                   "Active", now)
    try:
        stored.insert_certificate(tx, rec)
    except Conflict:
        raise DuplicateCertificate("The certificate is already associated with an IAM user "
                                   "in the account.") from None
    tx.bump_generation(account_id)
    return rec


def signing_certificates_of(tx: Tx, account_id: str,
                            user_id: str | None) -> list[SigningCertificateRecord]:
    return stored.certificates_of(tx, account_id, user_id)


def owned_certificate(tx: Tx, account_id: str, user_id: str | None,
                      certificate_id: str) -> SigningCertificateRecord:
    for cert in stored.certificates_of(tx, account_id, user_id):
        if cert.certificate_id == certificate_id:
            return cert
    raise certificate_not_found(certificate_id)


def update_signing_certificate(tx: Tx, account_id: str, user_id: str | None,
                               certificate_id: str, status: str) -> None:
    check_settable_status(status)
    owned_certificate(tx, account_id, user_id, certificate_id)
    stored.set_certificate_status(tx, certificate_id, status)
    tx.bump_generation(account_id)


def delete_signing_certificate(tx: Tx, account_id: str, user_id: str | None,
                               certificate_id: str) -> None:
    owned_certificate(tx, account_id, user_id, certificate_id)
    stored.delete_certificate(tx, certificate_id)
    tx.bump_generation(account_id)


def check_settable_status(status: str) -> None:
    # The status enum also holds `Expired`, which only IAM itself sets.
    if status not in ("Active", "Inactive"):
        raise InvalidInput(f"Status {status} cannot be set; use Active or Inactive.")


# --- SSH public keys


@dataclass(frozen=True)
class ParsedSSHKey:
    blob: bytes  # the SSH wire-format public key
    key: rsa.RSAPublicKey

    @property
    def fingerprint(self) -> str:
        """MD5 of the wire-format key as colon-separated hex, as `ssh-keygen -E md5` shows."""
        digest = hashlib.md5(self.blob, usedforsecurity=False).hexdigest()
        return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))

    def encoded(self, encoding: str) -> str:
        """The key as an OpenSSH line (`SSH`) or a PEM SubjectPublicKeyInfo (`PEM`)."""
        if encoding == "PEM":
            return self.key.public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo
                                         ).decode("ascii")
        return "ssh-rsa " + base64.b64encode(self.blob).decode("ascii")


def parse_ssh_key(body: str) -> ParsedSSHKey:
    """An RSA public key of at least 2048 bits, in OpenSSH (`ssh-rsa AAAA...`) or PEM form.

    AWS accepts "ssh-rsa format or PEM format" only (UploadSSHPublicKey), so an
    `ssh-ed25519` or ECDSA key is refused. Raises UnrecognizedPublicKeyEncoding
    when the text is neither form, InvalidPublicKey when it is one of them but
    not a usable RSA key.
    """
    text = body.strip()
    loaded: object
    try:
        if text.startswith("ssh-") or text.startswith("ecdsa-"):
            fields = text.split()
            if fields[0] != "ssh-rsa" or len(fields) < 2:
                raise InvalidPublicKey("Only ssh-rsa public keys are supported.")
            loaded = serialization.load_ssh_public_key(f"{fields[0]} {fields[1]}".encode())
        elif text.startswith("-----BEGIN"):
            loaded = serialization.load_pem_public_key(text.encode("latin-1"))
        else:
            raise UnrecognizedPublicKeyEncoding("Invalid public key uploaded.")
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm):
        raise InvalidPublicKey("The public key is malformed.") from None
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise InvalidPublicKey("Only RSA public keys are supported.")
    if loaded.key_size < MIN_RSA_BITS:
        raise InvalidPublicKey(f"The public key must be at least {MIN_RSA_BITS} bits long.")
    line = loaded.public_bytes(serialization.Encoding.OpenSSH,
                               serialization.PublicFormat.OpenSSH)
    return ParsedSSHKey(base64.b64decode(line.split()[1]), loaded)


def ssh_key_not_found(key_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")


def upload_ssh_key(tx: Tx, account_id: str, user_id: str, body: str,
                   now: datetime) -> SSHPublicKeyRecord:
    """Stores an SSH key for the user, Active.

    Raises UnrecognizedPublicKeyEncoding, InvalidPublicKey, LimitExceeded (more
    than 5) and DuplicateSSHPublicKey (the user holds it already).
    """
    parsed = parse_ssh_key(body)
    if len(stored.ssh_keys_of(tx, user_id)) >= MAX_SSH_KEYS:
        raise LimitExceeded(f"Cannot exceed quota for SSHPublicKeysPerUser: {MAX_SSH_KEYS}")
    rec = SSHPublicKeyRecord(SSH_KEY_PREFIX + _base32_id(16), account_id, user_id, body,
                             hashlib.sha256(parsed.blob).hexdigest(), parsed.fingerprint,
                             "Active", now)
    try:
        stored.insert_ssh_key(tx, rec)
    except Conflict:
        raise DuplicateSSHPublicKey("The SSH public key is already associated with the "
                                    "specified IAM user.") from None
    tx.bump_generation(account_id)
    return rec


def ssh_keys_of(tx: Tx, user_id: str) -> list[SSHPublicKeyRecord]:
    return stored.ssh_keys_of(tx, user_id)


def owned_ssh_key(tx: Tx, user_id: str, key_id: str) -> SSHPublicKeyRecord:
    for key in stored.ssh_keys_of(tx, user_id):
        if key.key_id == key_id:
            return key
    raise ssh_key_not_found(key_id)


def update_ssh_key(tx: Tx, account_id: str, user_id: str, key_id: str, status: str) -> None:
    check_settable_status(status)
    owned_ssh_key(tx, user_id, key_id)
    stored.set_ssh_key_status(tx, key_id, status)
    tx.bump_generation(account_id)


def delete_ssh_key(tx: Tx, account_id: str, user_id: str, key_id: str) -> None:
    owned_ssh_key(tx, user_id, key_id)
    stored.delete_ssh_key(tx, key_id)
    tx.bump_generation(account_id)


# --- service-specific credentials


@dataclass(frozen=True)
class IssuedServiceCredential:
    """A credential with its secret, as returned once by Create and Reset."""

    record: ServiceCredentialRecord
    secret: str

    def __repr__(self) -> str:
        return f"IssuedServiceCredential(id={self.record.credential_id!r}, secret=***)"


def check_service(service_name: str) -> None:
    if service_name not in PASSWORD_SERVICES and service_name not in API_KEY_SERVICES:
        raise NotSupportedService(f"The service {service_name} is not supported for "
                                  "service-specific credentials.")


def is_api_key(rec: ServiceCredentialRecord) -> bool:
    return rec.service_name in API_KEY_SERVICES


def status_of(rec: ServiceCredentialRecord, now: datetime) -> str:
    if rec.expires_at is not None and rec.expires_at <= now:
        return "Expired"
    return rec.status


def service_credential_not_found(credential_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Service Specific Credential with id {credential_id} "
                        "cannot be found.")


def _new_secret(service_name: str, alias: str) -> str:
    if service_name in API_KEY_SERVICES:
        # A Bedrock API key carries its public alias and its secret in one token.
        raw = f"{alias}:{base64.b64encode(secrets.token_bytes(48)).decode('ascii')}"
        return "ABSK" + base64.b64encode(raw.encode("ascii")).decode("ascii")
    return base64.b64encode(secrets.token_bytes(33)).decode("ascii")


def _seal(box: SecretBox, credential_id: str, secret: str) -> bytes:
    return box.seal(secret.encode("ascii"), credential_id.encode("ascii"))


def create_service_credential(tx: Tx, box: SecretBox, account_id: str, user_id: str,
                              user_name: str, service_name: str, age_days: int | None,
                              now: datetime) -> IssuedServiceCredential:
    """Issues a credential for the user and service, Active.

    Raises NotSupportedService, InvalidInput (an age for a service without
    expiring keys) and LimitExceeded (more than 2 for the service).
    """
    check_service(service_name)
    if age_days is not None and service_name not in API_KEY_SERVICES:
        raise InvalidInput("CredentialAgeDays is only valid for services that support "
                           "long-term API keys.")
    if stored.count_service_credentials(tx, user_id, service_name) >= MAX_SERVICE_CREDENTIALS:
        raise LimitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService:"
                            f" {MAX_SERVICE_CREDENTIALS}")
    credential_id = ids.unique_id(SERVICE_CREDENTIAL_PREFIX)
    prefix = API_KEY_SERVICES.get(service_name)
    # AWS forms the user name as `<user>-at-<account>` (ServiceSpecificCredential,
    # ServiceUserName); an API key's alias adds the key kind and a short tag.
    service_user = f"{user_name}-at-{account_id}"
    if prefix is not None:
        service_user = f"{prefix}-{secrets.token_hex(2)}-at-{account_id}"
    secret = _new_secret(service_name, service_user)
    expires = now + timedelta(days=age_days) if age_days is not None else None
    rec = ServiceCredentialRecord(credential_id, account_id, user_id, service_name,
                                  service_user, _seal(box, credential_id, secret), "Active",
                                  now, expires)
    stored.insert_service_credential(tx, rec)
    tx.bump_generation(account_id)
    return IssuedServiceCredential(rec, secret)


def owned_service_credential(tx: Tx, account_id: str, user_id: str,
                             credential_id: str) -> ServiceCredentialRecord:
    for rec in stored.service_credentials_of(tx, account_id, user_id, None):
        if rec.credential_id == credential_id:
            return rec
    raise service_credential_not_found(credential_id)


def reset_service_credential(tx: Tx, box: SecretBox, account_id: str, user_id: str,
                             credential_id: str) -> IssuedServiceCredential:
    """A new secret for the credential; the old one stops working at once."""
    rec = owned_service_credential(tx, account_id, user_id, credential_id)
    secret = _new_secret(rec.service_name, rec.service_user_name)
    sealed = _seal(box, credential_id, secret)
    stored.update_service_credential(tx, credential_id, secret_sealed=sealed)
    tx.bump_generation(account_id)
    return IssuedServiceCredential(
        ServiceCredentialRecord(rec.credential_id, rec.account_id, rec.user_id,
                                rec.service_name, rec.service_user_name, sealed, rec.status,
                                rec.created_at, rec.expires_at), secret)


def update_service_credential(tx: Tx, account_id: str, user_id: str, credential_id: str,
                              status: str) -> None:
    check_settable_status(status)
    owned_service_credential(tx, account_id, user_id, credential_id)
    stored.update_service_credential(tx, credential_id, status=status)
    tx.bump_generation(account_id)


def delete_service_credential(tx: Tx, account_id: str, user_id: str,
                              credential_id: str) -> None:
    owned_service_credential(tx, account_id, user_id, credential_id)
    stored.delete_service_credential(tx, credential_id)
    tx.bump_generation(account_id)


def list_service_credentials(tx: Tx, account_id: str, user_id: str | None,
                             service_name: str | None) -> Sequence[ServiceCredentialRecord]:
    """The credentials of one user (None: every user of the account)."""
    if service_name is not None:
        check_service(service_name)
    return stored.service_credentials_of(tx, account_id, user_id, service_name)


def _base32_id(length: int) -> str:
    raw = base64.b32encode(secrets.token_bytes(length)).decode("ascii")
    return raw[:length]
