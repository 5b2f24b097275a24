"""IAM quotas: the numbers of the IAM quotas page, as one frozen value per server.

`Quotas()` holds AWS's defaults ("IAM and AWS STS quotas", IAM User Guide:
IAM object quotas and character quotas). An operator may raise or lower any
of them with one setting, `SEKISHO_QUOTA_OVERRIDES=Users=10000,Roles=2000`;
the names are those of the `GetAccountSummary` keys without their `Quota`
suffix (`UsersQuota` -> `Users`), plus a few AWS reports nowhere else.

Rules enforce a quota with `check_count`, which raises AWS's
`LimitExceeded` message, `Cannot exceed quota for UsersPerAccount: 5000`.

    parse_overrides("Users=10,Roles=20")  -> (("Users", 10), ("Roles", 20))
    configured((("Users", 10),))          -> Quotas(users=10, ...)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from sekisho.errors import LimitExceeded

Overrides = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Quotas:
    """Every IAM quota Sekisho enforces or reports, with AWS's default values."""

    # Entities per account ("Default quotas for IAM entities", adjustable).
    users: int = 5000
    groups: int = 300
    roles: int = 1000
    policies: int = 1500  # customer managed policies
    instance_profiles: int = 1000
    server_certificates: int = 20
    saml_providers: int = 100
    open_id_connect_providers: int = 100
    # Per entity ("Quotas for IAM entities").
    groups_per_user: int = 10
    attached_policies_per_user: int = 10
    attached_policies_per_group: int = 10
    attached_policies_per_role: int = 10
    access_keys_per_user: int = 2
    signing_certificates_per_user: int = 2
    ssh_public_keys_per_user: int = 5
    mfa_devices_per_user: int = 8
    versions_per_policy: int = 5
    roles_per_instance_profile: int = 1
    tags_per_entity: int = 50
    # GetAccountSummary reports this one; AWS documents no other meaning for it.
    policy_versions_in_use: int = 10000
    # Sizes in characters, white space not counted ("IAM and STS character quotas").
    user_policy_size: int = 2048
    group_policy_size: int = 5120
    role_policy_size: int = 10240
    policy_size: int = 6144
    assume_role_policy_size: int = 2048


DEFAULT_QUOTAS = Quotas()

# Override name (the GetAccountSummary key without "Quota") -> field of Quotas.
OVERRIDE_NAMES: dict[str, str] = {
    "Users": "users",
    "Groups": "groups",
    "Roles": "roles",
    "Policies": "policies",
    "InstanceProfiles": "instance_profiles",
    "ServerCertificates": "server_certificates",
    "SAMLProviders": "saml_providers",
    "OpenIDConnectProviders": "open_id_connect_providers",
    "GroupsPerUser": "groups_per_user",
    "AttachedPoliciesPerUser": "attached_policies_per_user",
    "AttachedPoliciesPerGroup": "attached_policies_per_group",
    "AttachedPoliciesPerRole": "attached_policies_per_role",
    "AccessKeysPerUser": "access_keys_per_user",
    "SigningCertificatesPerUser": "signing_certificates_per_user",
    "SSHPublicKeysPerUser": "ssh_public_keys_per_user",
    "MFADevicesPerUser": "mfa_devices_per_user",
    "VersionsPerPolicy": "versions_per_policy",
    "RolesPerInstanceProfile": "roles_per_instance_profile",
    "TagsPerEntity": "tags_per_entity",
    "PolicyVersionsInUse": "policy_versions_in_use",
    "UserPolicySize": "user_policy_size",
    "GroupPolicySize": "group_policy_size",
    "RolePolicySize": "role_policy_size",
    "PolicySize": "policy_size",
    "AssumeRolePolicySize": "assume_role_policy_size",
}

# The names AWS uses in LimitExceeded messages for the per-account entity counts
# ("Cannot exceed quota for UsersPerAccount: 5000"); the others are named as above.
ERROR_NAMES: dict[str, str] = {
    "Users": "UsersPerAccount",
    "Groups": "GroupsPerAccount",
    "Roles": "RolesPerAccount",
    "Policies": "PoliciesPerAccount",
    "InstanceProfiles": "InstanceProfilesPerAccount",
    "ServerCertificates": "ServerCertificatesPerAccount",
    "SAMLProviders": "SAMLProvidersPerAccount",
    "OpenIDConnectProviders": "OpenIdConnectProvidersPerAccount",
}


def parse_overrides(raw: str) -> Overrides:
    """`Name=value,...` -> pairs; raises ValueError naming what is wrong.

    Names are those of OVERRIDE_NAMES (case-sensitive, as AWS spells them);
    values are integers of at least 0. An empty string means no overrides.
    """
    pairs: list[tuple[str, int]] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep:
            raise ValueError(f"quota override {item!r} is not of the form Name=value")
        if name not in OVERRIDE_NAMES:
            raise ValueError(f"unknown quota {name!r}; known quotas: "
                             f"{', '.join(sorted(OVERRIDE_NAMES))}")
        if not value.isdigit():
            raise ValueError(f"quota {name} must be a whole number, not {value!r}")
        pairs.append((name, int(value)))
    names = [n for n, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("a quota is overridden twice")
    return tuple(pairs)


def format_overrides(overrides: Iterable[tuple[str, int]]) -> str:
    """The inverse of parse_overrides."""
    return ",".join(f"{name}={value}" for name, value in overrides)


@lru_cache(maxsize=16)
def configured(overrides: Overrides) -> Quotas:
    """AWS's defaults with the given overrides applied (ValueError for unknown names)."""
    changes: dict[str, int] = {}
    for name, value in overrides:
        if name not in OVERRIDE_NAMES:
            raise ValueError(f"unknown quota {name!r}")
        changes[OVERRIDE_NAMES[name]] = value
    return replace(DEFAULT_QUOTAS, **changes)


def exceeded(name: str, limit: int) -> LimitExceeded:
    """AWS's LimitExceeded for the quota called `name` (an override name)."""
    return LimitExceeded(f"Cannot exceed quota for {ERROR_NAMES.get(name, name)}: {limit}")


def check_count(current: int, limit: int, name: str) -> None:
    """Raises LimitExceeded when one more item would exceed `limit` (at `current` items)."""
    if current >= limit:
        raise exceeded(name, limit)
