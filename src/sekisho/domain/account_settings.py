"""Account settings: the password policy, the password rules it imposes, and the
account summary (usage against quotas).

The password policy follows the IAM API reference: `UpdateAccountPasswordPolicy`
does not support partial updates, so every field left out of a call reverts to
its default (`PasswordPolicy()`); `GetAccountPasswordPolicy` answers
NoSuchEntity while the account has none. Without a custom policy, IAM applies
its default password policy (IAM User Guide, "Set an account password policy
for IAM users"): at least 8 characters, at least three of the four character
types, and not the same as the account's name (for Sekisho: the user's name).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sekisho.domain.quotas import Quotas
from sekisho.domain.sts_preferences import summary_token_version
from sekisho.errors import NoSuchEntity, PasswordPolicyViolation
from sekisho.store import account_settings as stored
from sekisho.store import (
    credentials,
    instance_profiles,
    providers,
    roles,
    server_certificates,
)
from sekisho.store import mfa as mfa_store
from sekisho.store import policies as stored_policies
from sekisho.store.sql import Tx

PasswordPolicy = stored.PasswordPolicyRecord

# "Password for a login profile: 1-128 characters" (IAM and STS character quotas).
MAX_PASSWORD_LENGTH = 128
DEFAULT_POLICY_MINIMUM_LENGTH = 8
# The non-alphanumeric characters RequireSymbols asks for (UpdateAccountPasswordPolicy).
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")

def not_found(account_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Password Policy with domain name {account_id} cannot be found.")
VIOLATION_MESSAGE = "Password does not conform to the account password policy."


def update_password_policy(tx: Tx, account_id: str, policy: PasswordPolicy) -> None:
    """Replaces the account's password policy with `policy` (created if absent)."""
    stored.put_password_policy(tx, account_id, policy)
    tx.bump_generation(account_id)


def find_password_policy(tx: Tx, account_id: str) -> PasswordPolicy | None:
    """The account's custom policy, or None when IAM's default policy applies."""
    return stored.password_policy(tx, account_id)


def get_password_policy(tx: Tx, account_id: str) -> PasswordPolicy:
    """The account's custom policy; NoSuchEntity when it has none."""
    policy = stored.password_policy(tx, account_id)
    if policy is None:
        raise not_found(account_id)
    return policy


def delete_password_policy(tx: Tx, account_id: str) -> None:
    """Removes the custom policy; NoSuchEntity when there is none."""
    if not stored.delete_password_policy(tx, account_id):
        raise not_found(account_id)
    tx.bump_generation(account_id)


def expire_passwords(policy: PasswordPolicy) -> bool:
    """`ExpirePasswords`: true when MaxPasswordAge is set (greater than 0)."""
    return bool(policy.max_password_age)


def next_rotation(policy: PasswordPolicy | None, last_changed: datetime) -> datetime | None:
    """When a password set at `last_changed` must be changed; None if it never expires."""
    if policy is None or not policy.max_password_age:
        return None
    return last_changed + timedelta(days=policy.max_password_age)


def _character_types(password: str) -> dict[str, bool]:
    return {
        "upper": any("A" <= c <= "Z" for c in password),
        "lower": any("a" <= c <= "z" for c in password),
        "number": any(c.isascii() and c.isdigit() for c in password),
        "symbol": any(c in SYMBOLS for c in password),
    }


def password_problems(policy: PasswordPolicy | None, password: str,
                      user_name: str) -> list[str]:
    """What `password` lacks under `policy` (None: IAM's default policy); empty if it conforms.

    For logs and the console; the API answers with AWS's one message (see check_password).
    """
    problems: list[str] = []
    types = _character_types(password)
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    if policy is None:
        if len(password) < DEFAULT_POLICY_MINIMUM_LENGTH:
            problems.append(f"at least {DEFAULT_POLICY_MINIMUM_LENGTH} characters")
        if sum(types.values()) < 3:
            problems.append("at least three of: uppercase letters, lowercase letters, "
                            "numbers, symbols")
        if password == user_name:
            problems.append("not the same as the user name")
        return problems
    if len(password) < policy.minimum_password_length:
        problems.append(f"at least {policy.minimum_password_length} characters")
    for required, kind, label in (
        (policy.require_uppercase_characters, "upper", "an uppercase letter"),
        (policy.require_lowercase_characters, "lower", "a lowercase letter"),
        (policy.require_numbers, "number", "a number"),
        (policy.require_symbols, "symbol", "a symbol"),
    ):
        if required and not types[kind]:
            problems.append(f"at least {label}")
    return problems


def check_password(policy: PasswordPolicy | None, password: str, user_name: str) -> None:
    """Raises PasswordPolicyViolation unless `password` conforms to `policy`.

    `policy` None means the account has no custom policy and IAM's default
    password policy applies. Reuse prevention (PasswordReusePrevention) needs
    the user's previous passwords and is the caller's to check.
    """
    if password_problems(policy, password, user_name):
        raise PasswordPolicyViolation(VIOLATION_MESSAGE)


# --- GetAccountSummary

# The value AWS reports until SetSecurityTokenServicePreferences changes it.
GLOBAL_ENDPOINT_TOKEN_VERSION = 1


def _quota_entries(quotas: Quotas) -> dict[str, int]:
    return {
        "UsersQuota": quotas.users,
        "GroupsQuota": quotas.groups,
        "RolesQuota": quotas.roles,
        "PoliciesQuota": quotas.policies,
        "InstanceProfilesQuota": quotas.instance_profiles,
        "ServerCertificatesQuota": quotas.server_certificates,
        "GroupsPerUserQuota": quotas.groups_per_user,
        "AccessKeysPerUserQuota": quotas.access_keys_per_user,
        "SigningCertificatesPerUserQuota": quotas.signing_certificates_per_user,
        "AttachedPoliciesPerUserQuota": quotas.attached_policies_per_user,
        "AttachedPoliciesPerGroupQuota": quotas.attached_policies_per_group,
        "AttachedPoliciesPerRoleQuota": quotas.attached_policies_per_role,
        "VersionsPerPolicyQuota": quotas.versions_per_policy,
        "PolicyVersionsInUseQuota": quotas.policy_versions_in_use,
        "UserPolicySizeQuota": quotas.user_policy_size,
        "GroupPolicySizeQuota": quotas.group_policy_size,
        "RolePolicySizeQuota": quotas.role_policy_size,
        "PolicySizeQuota": quotas.policy_size,
        "AssumeRolePolicySizeQuota": quotas.assume_role_policy_size,
    }


def account_summary(tx: Tx, account_id: str, quotas: Quotas) -> dict[str, int]:
    """Every key of GetAccountSummary's SummaryMap: usage counted from the store, and quotas.

    The root user has neither a password nor an MFA device in Sekisho: those keys are 0.
    """
    root_certificates = credentials.certificates_of(tx, account_id, None)
    summary: dict[str, int] = {
        "Users": tx.count_users(account_id),
        "Groups": tx.count_groups(account_id),
        "Roles": roles.count_roles(tx, account_id),
        "Policies": stored_policies.count_policies(tx, account_id),
        "InstanceProfiles": instance_profiles.count_profiles(tx, account_id),
        "ServerCertificates": server_certificates.count(tx, account_id),
        "Providers": providers.count_saml(tx, account_id) + providers.count_oidc(tx, account_id),
        # Each attachment of a managed policy keeps one of its versions in use.
        "PolicyVersionsInUse": stored.count_attachments(tx, account_id),
        "MFADevices": mfa_store.count_devices(tx, account_id),
        "MFADevicesInUse": mfa_store.count_assigned(tx, account_id),
        "AccountMFAEnabled": 0,
        "AccountAccessKeysPresent": int(bool(tx.access_keys_of(account_id, None))),
        "AccountPasswordPresent": 0,
        "AccountSigningCertificatesPresent": int(bool(root_certificates)),
        "GlobalEndpointTokenVersion": summary_token_version(tx, account_id),
    }
    summary.update(_quota_entries(quotas))
    return summary
