"""STS preferences of an account: which session tokens the global STS endpoint issues.

`SetSecurityTokenServicePreferences` chooses `v1Token` (valid only in Regions
enabled by default) or `v2Token` (valid in all Regions, and longer);
`GetAccountSummary` reports the choice as `GlobalEndpointTokenVersion` 1 or 2
(IAM API reference, SetSecurityTokenServicePreferences and GetAccountSummary).
Sekisho has no opt-in Regions, so every token it issues is valid everywhere
whatever the choice; the preference is kept and reported as AWS does.
"""

from __future__ import annotations

from sekisho.store import sts_preferences as stored
from sekisho.store.sql import Tx

V1_TOKEN, V2_TOKEN = "v1Token", "v2Token"

# What an account that never set a preference reports (AWS's default is v1Token).
DEFAULT_VERSION = V1_TOKEN

_SUMMARY_VALUE = {V1_TOKEN: 1, V2_TOKEN: 2}


def set_token_version(tx: Tx, account_id: str, version: str) -> None:
    """Stores `version` (`v1Token` | `v2Token`; the model's enum, checked by the validator).

    Raises ValueError for any other value (a caller bypassing the validator).
    """
    if version not in _SUMMARY_VALUE:
        raise ValueError(f"unknown GlobalEndpointTokenVersion {version!r}")
    stored.put_token_version(tx, account_id, version)
    tx.bump_generation(account_id)


def token_version(tx: Tx, account_id: str) -> str:
    """The account's `GlobalEndpointTokenVersion` (`v1Token` until set)."""
    return stored.token_version(tx, account_id) or DEFAULT_VERSION


def summary_token_version(tx: Tx, account_id: str) -> int:
    """GetAccountSummary's `GlobalEndpointTokenVersion`: 1 or 2."""
    return _SUMMARY_VALUE.get(token_version(tx, account_id), 1)
