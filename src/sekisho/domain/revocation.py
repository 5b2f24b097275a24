"""Revoking a role's active sessions, as the IAM console's "Revoke active sessions" does.

AWS puts an inline policy named `AWSRevokeOlderSessions` on the role that
denies every action on every resource to sessions whose `aws:TokenIssueTime`
is before the moment of revocation; revoking again rewrites the time stamp
(IAM User Guide, "Revoke IAM role temporary security credentials", and
"Disabling permissions for temporary security credentials"). Sessions issued
afterwards are not affected, and the role's policies are evaluated on every
request, so the next request of an older session is denied.

A session's issue time has whole-second precision while the revocation time
keeps milliseconds: a session issued in the same second as the revocation,
even just after it, is revoked too (the safe side).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sekisho.domain import inline_policies
from sekisho.domain.policies import role_entity
from sekisho.store.sql import Tx

POLICY_NAME = "AWSRevokeOlderSessions"


def issue_time_stamp(now: datetime) -> str:
    """`now` as the console writes it: UTC, milliseconds, `Z`."""
    moment = now.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def revocation_document(now: datetime) -> str:
    """The `AWSRevokeOlderSessions` policy for a revocation at `now`."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": issue_time_stamp(now)}},
        },
    }, indent=2)


def revoke_older_sessions(tx: Tx, account_id: str, role_name: str, now: datetime) -> str:
    """Puts (or refreshes) `AWSRevokeOlderSessions` on the role; returns the document.

    NoSuchEntity for an unknown role; UnmodifiableEntity for a service-linked role
    ("You cannot revoke the session for a service-linked role"); LimitExceeded when
    the role's inline policies would pass their size quota.
    """
    entity = role_entity(tx, account_id, role_name, modifying=True)
    document = revocation_document(now)
    inline_policies.put(tx, account_id, entity, POLICY_NAME, document)
    return document
