"""Who is calling: the authenticated principal of one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PrincipalType = Literal["root", "user"]


@dataclass(frozen=True)
class Caller:
    """An authenticated caller. `user_id` is the AWS unique id (the account id for root)."""

    type: PrincipalType
    account_id: str
    arn: str
    user_id: str
    access_key_id: str
    user_name: str | None = None
    path: str = "/"

    @property
    def is_root(self) -> bool:
        return self.type == "root"

    @property
    def kind_label(self) -> str:
        """How AWS names the caller in an AccessDenied message."""
        return "User"
