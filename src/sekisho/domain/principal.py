"""Who is calling: the authenticated principal of one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sekisho.domain.sessions import SessionClaims

PrincipalType = Literal["root", "user", "role-session", "federated"]

# aws:PrincipalType values (IAM User Guide, global condition context keys).
_PRINCIPAL_TYPE = {"root": "Account", "user": "User", "role-session": "AssumedRole",
                   "federated": "FederatedUser"}


@dataclass(frozen=True)
class Caller:
    """An authenticated caller.

    `user_id` is what `aws:userid` and GetCallerIdentity report: the account id
    for root, `AIDA...` for a user, `AROA...:session` for a role session,
    `ACCOUNT:name` for a federated user. `session` holds the claims of temporary
    credentials (None for long-term keys).
    """

    type: PrincipalType
    account_id: str
    arn: str
    user_id: str
    access_key_id: str
    user_name: str | None = None
    path: str = "/"
    session: SessionClaims | None = None

    @property
    def is_root(self) -> bool:
        return self.type == "root"

    @property
    def principal_type(self) -> str:
        return _PRINCIPAL_TYPE[self.type]

    @property
    def cache_key(self) -> str:
        """Whose compiled policies serve this caller: the user, or the session itself."""
        return self.access_key_id if self.session is not None else self.user_id
