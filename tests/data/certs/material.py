"""Certificates, keys and SAML metadata made on the fly for the credential tests.

Keys are generated here (cached per process, RSA generation being slow) and
certificates signed with them; nothing is read from outside.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey


@lru_cache(maxsize=16)
def rsa_key(slot: int = 0, bits: int = 2048) -> PrivateKey:
    """A fresh RSA key per (slot, bits), the same one within a test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate(key: PrivateKey, common_name: str, *, issuer: x509.Certificate | None = None,
                issuer_key: PrivateKey | None = None, days: int = 365, ca: bool = False,
                expired: bool = False) -> x509.Certificate:
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=30), now - timedelta(days=1)) if expired else \
        (now - timedelta(minutes=5), now + timedelta(days=days))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer.subject if issuer else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start)
               .not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return builder.sign(issuer_key or key, hashes.SHA256())


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def key_pem(key: PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def self_signed_pem(slot: int, common_name: str = "sekisho-test", **kwargs: bool) -> str:
    return pem(certificate(rsa_key(slot), common_name, **kwargs))  # type: ignore[arg-type]


def ssh_rsa_line(key: PrivateKey, comment: str = "test@sekisho") -> str:
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode("ascii")
    return f"{line} {comment}"


def public_pem(key: PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def ssh_ed25519_line() -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode("ascii")


def saml_metadata(entity_id: str = "https://idp.example.com/saml", *,
                  cert: x509.Certificate | None = None, idp: bool = True,
                  with_cert: bool = True, valid_until: str | None = None) -> str:
    """An IdP metadata document (at least 1,000 characters, as the model requires)."""
    cert = cert or certificate(rsa_key(15), "idp.example.com")
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
    key = ("<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
           f"{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
           if with_cert else "")
    role = "IDPSSODescriptor" if idp else "SPSSODescriptor"
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}"{until}>'
        f'<md:{role} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{key}"
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
        "</md:NameIDFormat>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{entity_id}/sso"/>'
        f"</md:{role}>"
        # The model wants at least 1,000 characters, with or without a certificate.
        '<md:Organization><md:OrganizationName xml:lang="en">Sekisho Test Identity '
        "Provider, used only by the test suite</md:OrganizationName>"
        '<md:OrganizationDisplayName xml:lang="en">Sekisho Test IdP, a made-up identity '
        "provider for the SAML provider tests</md:OrganizationDisplayName>"
        '<md:OrganizationURL xml:lang="en">https://idp.example.com/about/this/test/'
        "identity/provider/that/is/made/up/for/the/sekisho/saml/provider/tests"
        "</md:OrganizationURL></md:Organization>"
        "</md:EntityDescriptor>"
    )
