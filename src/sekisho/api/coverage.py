"""Which model operations Sekisho serves, and why the others are left out.

`docs/operations.md` is generated from this and the registry
(`python tools/gen_operations_doc.py`); a test keeps it current. An operation
that is neither served nor listed here is simply not built yet.
"""

from __future__ import annotations

from sekisho.api.registry import HANDLERS
from sekisho.protocol.service import load_service

_ORGANIZATIONS = "needs AWS Organizations, which Sekisho does not model"
_INTERNAL = "belongs to an AWS-internal feature with no meaning on a self-hosted server"
_PARTNER = ("temporary access delegation is \"not available for general use\" (IAM API "
            "reference): it needs AWS's partner onboarding")
_OUTBOUND = ("IAM outbound identity federation (AWS issuing JWTs for external services) is not "
             "modelled yet")

LEFT_OUT: dict[tuple[str, str], str] = {
    **{("iam", op): _ORGANIZATIONS for op in (
        "DisableOrganizationsRootCredentialsManagement", "DisableOrganizationsRootSessions",
        "EnableOrganizationsRootCredentialsManagement", "EnableOrganizationsRootSessions",
        "GenerateOrganizationsAccessReport", "GetOrganizationsAccessReport",
        "ListOrganizationsFeatures")},
    **{("iam", op): _PARTNER for op in (
        "AcceptDelegationRequest", "AssociateDelegationRequest", "CreateDelegationRequest",
        "GetDelegationRequest", "ListDelegationRequests", "RejectDelegationRequest",
        "SendDelegationToken", "UpdateDelegationRequest")},
    **{("iam", op): _OUTBOUND for op in (
        "DisableOutboundWebIdentityFederation", "EnableOutboundWebIdentityFederation",
        "GetOutboundWebIdentityFederationInfo")},
    ("sts", "GetWebIdentityToken"): _OUTBOUND,
    ("sts", "AssumeRoot"): "issues root sessions for member accounts of an AWS Organization",
    ("sts", "GetDelegatedAccessToken"): _INTERNAL,
    ("iam", "GetHumanReadableSummary"): (
        "summarises only delegation requests, with a large language model (IAM API reference:"
        " \"the only supported entity type is delegation-request\"); those are left out"),
}


def status(service: str, operation: str) -> tuple[str, str]:
    """("implemented" | "left out" | "not yet", reason) for one model operation."""
    if (service, operation) in HANDLERS:
        return "implemented", ""
    if (service, operation) in LEFT_OUT:
        return "left out", LEFT_OUT[(service, operation)]
    return "not yet", "answered with NotImplemented (501) until it is built"


def table() -> list[tuple[str, str, str, str]]:
    rows = []
    for service in ("iam", "sts"):
        for operation in sorted(load_service(service).operation_names):
            rows.append((service, operation, *status(service, operation)))
    return rows
