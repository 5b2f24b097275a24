"""Which handler serves which operation.

Each API module declares its own `OPERATIONS` table (operation name ->
handler); this module lists the modules per service, one line each. Operations
of the `iam` and `sts` models served by no module are answered with
`NotImplemented` (see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from sekisho.api.context import Handler
from sekisho.api.iam import (
    access_keys,
    account,
    account_settings,
    authorization_details,
    credential_report,
    credentials,
    groups,
    inline_policies,
    instance_profiles,
    last_accessed,
    login_profiles,
    mfa,
    policies,
    providers,
    roles,
    server_certificates,
    simulator,
    sts_preferences,
    users,
)
from sekisho.api.sts import assume_role, authorization_message, identity, sessions

MODULES: dict[str, tuple[ModuleType, ...]] = {
    "iam": (users, groups, access_keys, account, account_settings, credential_report,
            roles, instance_profiles, credentials, server_certificates, providers,
            policies, inline_policies, login_profiles, mfa, simulator, authorization_details,
            last_accessed, sts_preferences),
    "sts": (identity, sessions, assume_role, authorization_message),
}


def _build() -> dict[tuple[str, str], Handler]:
    table: dict[tuple[str, str], Handler] = {}
    for service, modules in MODULES.items():
        for module in modules:
            operations: Mapping[str, Handler] = module.OPERATIONS
            for name, handler in operations.items():
                if (service, name) in table:
                    raise RuntimeError(f"{service}:{name} is served twice")
                table[(service, name)] = handler
    return table


HANDLERS: dict[tuple[str, str], Handler] = _build()

# Handlers that need no database: run on the event loop, skipping the thread hop.
INLINE = frozenset({("sts", "GetCallerIdentity"), ("sts", "GetAccessKeyInfo")})
