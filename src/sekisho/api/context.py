"""What a handler is given: the services of the server and the call being served."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sekisho.auth.credentials import CredentialResolver, LastUsedRecorder
from sekisho.domain import authorization, last_accessed
from sekisho.domain.authorization import Authorizer
from sekisho.domain.clock import Clock
from sekisho.domain.principal import Caller
from sekisho.domain.quotas import Quotas, configured
from sekisho.domain.secretbox import SecretBox
from sekisho.domain.sessions import KeyRing
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
    authorizer: Authorizer
    ring: KeyRing


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

    @property
    def quotas(self) -> Quotas:
        """The server's IAM quotas: AWS's defaults with SEKISHO_QUOTA_OVERRIDES applied."""
        return configured(self.services.settings.quota_overrides)

    def authorize(self, action: str, *resources: str,
                  context: Mapping[str, authorization.ContextValue] | None = None) -> None:
        """Raises AccessDenied unless the caller may perform `action` on the resources.

        `context` adds the operation's own condition keys (`iam:PolicyARN`,
        `aws:RequestTag/...`, `aws:TagKeys`, ...) to the global ones.
        """
        # Every attempt counts, allowed or not (IAM API reference, last accessed data);
        # an in-memory note: the store is written in the background.
        last_accessed.note(self.services.store, self.caller, action, self.region, self.now)
        authorizer = self.services.authorizer
        if authorizer.needs_no_decision(self.caller, action):
            return
        # The request's own keys; the authorizer adds those of the principal.
        keys: dict[str, authorization.ContextValue] = {
            "aws:SourceIp": self.source_ip,
            "aws:RequestedRegion": self.region,
            "aws:CurrentTime": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(self.now.timestamp())),
            "aws:SecureTransport": "false",
            "aws:ViaAWSService": "false",
        }
        if context:
            keys.update(context)
        self.services.authorizer.authorize(self.caller, action, resources, keys, self.now)


Handler = Callable[[Call, Params], Result]
