"""Signing certificates, SSH public keys, service-specific credentials, server
certificates, SAML and OpenID Connect providers.

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "signing_certificates",
        sa.Column("certificate_id", sa.String(128), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("der_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "der_sha256",
                            name="uq_signing_certificates_account_id_der_sha256"),
    )
    op.create_index("ix_signing_certificates_user_id", "signing_certificates", ["user_id"])
    op.create_table(
        "ssh_public_keys",
        sa.Column("key_id", sa.String(128), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "blob_sha256",
                            name="uq_ssh_public_keys_user_id_blob_sha256"),
    )
    op.create_table(
        "service_credentials",
        sa.Column("credential_id", sa.String(128), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("service_name", sa.String(128), nullable=False),
        sa.Column("service_user_name", sa.String(200), nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_service_credentials_user_id", "service_credentials", ["user_id"])
    op.create_index("ix_service_credentials_account_id", "service_credentials",
                    ["account_id"])
    op.create_table(
        "server_certificates",
        sa.Column("certificate_id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_lower", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("chain", sa.Text, nullable=True),
        sa.Column("private_key_sealed", sa.LargeBinary, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "name_lower",
                            name="uq_server_certificates_account_id_name_lower"),
    )
    op.create_table(
        "saml_providers",
        sa.Column("provider_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_lower", sa.String(128), nullable=False),
        sa.Column("metadata_document", sa.Text, nullable=False),
        sa.Column("encryption_mode", sa.String(16), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "name_lower",
                            name="uq_saml_providers_account_id_name_lower"),
    )
    op.create_table(
        "saml_private_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("key_sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_saml_private_keys_provider_id", "saml_private_keys", ["provider_id"])
    op.create_table(
        "oidc_providers",
        sa.Column("provider_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("url", sa.String(255), nullable=False),
        sa.Column("resource_lower", sa.String(255), nullable=False),
        sa.Column("client_ids", sa.Text, nullable=False),
        sa.Column("thumbprints", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "resource_lower",
                            name="uq_oidc_providers_account_id_resource_lower"),
    )


def downgrade() -> None:
    for table in ("oidc_providers", "saml_private_keys", "saml_providers",
                  "server_certificates", "service_credentials", "ssh_public_keys",
                  "signing_certificates"):
        op.drop_table(table)
