"""IAM operations on last accessed data: GenerateServiceLastAccessedDetails,
GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities and
ListPoliciesGrantingServiceAccess.

A report is computed when it is generated and answered COMPLETED at once;
clients that poll JobStatus stop at their first call. Before computing it, the
uses this process still buffers are written, so that a report includes every
attempt this node has seen (other nodes write theirs within a minute).
"""

from __future__ import annotations

from typing import Any

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import last_accessed
from sekisho.domain.pagination import DEFAULT_MAX_ITEMS, Page


def generate_service_last_accessed_details(call: Call, p: Params) -> Result:
    arn = p["Arn"]
    # The Service Authorization Reference lists the user, group, role and policy as resources.
    call.authorize("iam:GenerateServiceLastAccessedDetails", arn)
    last_accessed.flush_pending(call.services.store)
    with call.services.store.write() as tx:
        job_id = last_accessed.generate(tx, call.account_id, call.partition, arn,
                                        p.get("Granularity", last_accessed.SERVICE_LEVEL),
                                        call.now)
    return {"JobId": job_id}


def _job_fields(job: last_accessed.Job, page: Page[Any], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "JobStatus": job.record.status,
        "JobCreationDate": job.record.created_at,
        "JobCompletionDate": job.record.completed_at,
        key: list(page.items),
        "IsTruncated": page.is_truncated,
    }
    if page.next_marker:
        out["Marker"] = page.next_marker
    return out


def get_service_last_accessed_details(call: Call, p: Params) -> Result:
    # No resource type: the job id is the only handle (Service Authorization Reference).
    call.authorize("iam:GetServiceLastAccessedDetails", "*")
    with call.services.store.read() as tx:
        job = last_accessed.get_job(tx, call.account_id, p["JobId"])
    page = last_accessed.services_page(job, p.get("Marker"), p.get("MaxItems", DEFAULT_MAX_ITEMS))
    out = _job_fields(job, page, "ServicesLastAccessed")
    out["JobType"] = job.record.granularity
    return out


def get_service_last_accessed_details_with_entities(call: Call, p: Params) -> Result:
    call.authorize("iam:GetServiceLastAccessedDetailsWithEntities", "*")
    with call.services.store.read() as tx:
        job = last_accessed.get_job(tx, call.account_id, p["JobId"])
    page = last_accessed.entities_page(job, p["ServiceNamespace"], p.get("Marker"),
                                       p.get("MaxItems", DEFAULT_MAX_ITEMS))
    return _job_fields(job, page, "EntityDetailsList")


def list_policies_granting_service_access(call: Call, p: Params) -> Result:
    arn = p["Arn"]
    call.authorize("iam:ListPoliciesGrantingServiceAccess", arn)
    with call.services.store.read() as tx:
        entries = last_accessed.policies_granting(tx, call.account_id, call.partition, arn,
                                                  p["ServiceNamespaces"])
    # At most 200 namespaces per call (the model's limit): one page always holds them all.
    return {"PoliciesGrantingServiceAccess": entries, "IsTruncated": False}


OPERATIONS: dict[str, Handler] = {
    "GenerateServiceLastAccessedDetails": generate_service_last_accessed_details,
    "GetServiceLastAccessedDetails": get_service_last_accessed_details,
    "GetServiceLastAccessedDetailsWithEntities": get_service_last_accessed_details_with_entities,
    "ListPoliciesGrantingServiceAccess": list_policies_granting_service_access,
}
