"""What a handler is given: the services of the server and the call being served."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sekisho.auth.credentials import CredentialResolver, LastUsedRecorder
from sekisho.domain import authorization
from sekisho.domain.clock import Clock
from sekisho.domain.principal import Caller
from sekisho.domain.secretbox import SecretBox
from sekisho.settings import Settings
from sekisho.store.sql import Store

Params = Mapping[str, Any]
Result = dict[str, Any] | None


@dataclass(frozen=True)
class Services:
    """Built once by the composition root (`app.create_app`) and shared by every call."""

    settings: Settings
    store: Store
    box: SecretBox
    clock: Clock
    credentials: CredentialResolver
    last_used: LastUsedRecorder


@dataclass(frozen=True)
class Call:
    """One authenticated API call."""

    services: Services
    caller: Caller
    request_id: str
    service: str
    region: str
    source_ip: str
    now: datetime

    @property
    def account_id(self) -> str:
        return self.caller.account_id

    @property
    def partition(self) -> str:
        return self.services.settings.partition

    def authorize(self, action: str, *resources: str) -> None:
        """Raises AccessDenied unless the caller may perform `action` on the resources."""
        context: dict[str, authorization.ContextValue] = {
            "aws:SourceIp": self.source_ip,
            "aws:RequestedRegion": self.region,
            "aws:PrincipalAccount": self.caller.account_id,
            "aws:PrincipalArn": self.caller.arn,
            "aws:userid": self.caller.user_id,
            "aws:CurrentTime": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:SecureTransport": "false",
        }
        if self.caller.user_name:
            context["aws:username"] = self.caller.user_name
        authorization.authorize(self.caller, action, resources, context)


Handler = Callable[[Call, Params], Result]
