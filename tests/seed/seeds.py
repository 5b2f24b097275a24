"""Seed documents for the tests, built as Python data (fresh access key ids each time)."""

from __future__ import annotations

import copy
from typing import Any

from sekisho.domain import ids

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
MFA_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "Corr3ct-Horse-Battery!"


def key_id(account: str = ACCOUNT) -> str:
    return ids.access_key_id(ids.LONG_TERM_KEY, account)


def document(action: str, effect: str = "Allow", resource: str = "*") -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}


def trust(account: str = ACCOUNT) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                           "Action": "sts:AssumeRole"}]}


def full_seed() -> dict[str, Any]:
    """One account using every feature of the format."""
    return {"accounts": [{
        "id": ACCOUNT,
        "alias": "seeded-dev",
        "root_access_keys": [{"id": key_id(), "secret": "root-secret-0123456789"}],
        "policies": [
            {"name": "ReadBuckets", "path": "/team/", "description": "read buckets",
             "document": document("s3:GetObject"), "tags": {"owner": "platform"}},
            {"name": "Boundary", "document": document("*")},
        ],
        "groups": [
            {"name": "developers", "path": "/eng/",
             "inline_policies": {"ListUsers": document("iam:ListUsers")},
             "managed_policies": ["ReadBuckets"]},
        ],
        "users": [
            {"name": "alice", "path": "/people/", "tags": {"team": "blue", "Env": "dev"},
             "groups": ["developers"],
             "inline_policies": {"GetSelf": document("iam:GetUser")},
             "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
             "permissions_boundary": "Boundary",
             "access_keys": [{"id": key_id(), "secret": "alice-secret-0123456789"},
                             {"id": key_id(), "secret": "alice-old-secret-012345",
                              "status": "Inactive"}],
             "login_profile": {"password": PASSWORD, "password_reset_required": True},
             "mfa_devices": [{"name": "alice-phone", "seed": MFA_SEED}]},
            {"name": "bob"},
        ],
        "roles": [
            {"name": "app", "path": "/service/", "trust_policy": trust(),
             "description": "the application", "max_session_duration": 7200,
             "permissions_boundary": "Boundary", "tags": {"app": "web"},
             "inline_policies": {"Logs": document("logs:*")},
             "managed_policies": ["ReadBuckets"],
             "instance_profiles": ["app-profile", {"name": "app-tagged", "path": "/ec2/",
                                                   "tags": {"tier": "front"}}]},
        ],
    }]}


def clone(seed: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(seed)
