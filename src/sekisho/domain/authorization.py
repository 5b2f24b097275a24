"""The one authorization seam every operation goes through.

`authorize(caller, action, resources, context)` answers for one request or
raises `AccessDenied` with AWS's message. Until the policy engine is wired in
(the IAM-surface issue), the rule is the one AWS applies to a principal with
no policies: the root user may do everything, and an IAM user only what
every authenticated caller may do (`sts:GetCallerIdentity` needs no
permission, see the STS API reference).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sekisho.domain.principal import Caller
from sekisho.errors import AccessDenied

# Actions AWS allows to any authenticated caller, whatever its policies say.
ALWAYS_ALLOWED = frozenset({"sts:GetCallerIdentity"})

ContextValue = str | tuple[str, ...]


def denial_message(caller: Caller, action: str, resource: str) -> str:
    return (f"{caller.kind_label}: {caller.arn} is not authorized to perform: {action} "
            f"on resource: {resource} because no identity-based policy allows the {action} action")


def authorize(caller: Caller, action: str, resources: Sequence[str],
              context: Mapping[str, ContextValue] | None = None) -> None:
    """Raises AccessDenied unless `caller` may perform `action` on every resource."""
    if caller.is_root or action in ALWAYS_ALLOWED:
        return
    resource = resources[0] if resources else "*"
    raise AccessDenied(denial_message(caller, action, resource))
