"""IAM operations on the credential report: GenerateCredentialReport, GetCredentialReport."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import credential_report


def generate_credential_report(call: Call, p: Params) -> Result:
    call.authorize("iam:GenerateCredentialReport", "*")
    with call.services.store.write() as tx:
        answer = credential_report.generate(tx, call.account_id, call.partition, call.now)
    out: dict[str, object] = {"State": answer.state}
    if answer.description:
        out["Description"] = answer.description
    return out


def get_credential_report(call: Call, p: Params) -> Result:
    call.authorize("iam:GetCredentialReport", "*")
    with call.services.store.read() as tx:
        report = credential_report.get(tx, call.account_id, call.now)
    return {"Content": report.content, "ReportFormat": credential_report.REPORT_FORMAT,
            "GeneratedTime": report.generated_at}


OPERATIONS: dict[str, Handler] = {
    "GenerateCredentialReport": generate_credential_report,
    "GetCredentialReport": get_credential_report,
}
