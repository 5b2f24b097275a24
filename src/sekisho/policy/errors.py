"""The one exception the policy engine raises for a bad document.

``PolicyParseError`` carries the message AWS's IAM API puts in a
``MalformedPolicyDocument`` error, so that callers can forward it unchanged.
"""

from __future__ import annotations


class PolicyParseError(ValueError):
    """A policy document is not valid for its policy type.

    ``message`` is AWS's ``MalformedPolicyDocument`` wording, for example
    ``"Policy document should not specify a principal."``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# AWS's MalformedPolicyDocument messages, as returned by the IAM API (see the
# IAM API reference for CreatePolicy/PutUserPolicy/CreateRole).
SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
SHOULD_NOT_SPECIFY_PRINCIPAL = "Policy document should not specify a principal."
MUST_CONTAIN_ACTIONS = "Policy statement must contain actions."
MUST_CONTAIN_RESOURCES = "Policy statement must contain resources."
MISSING_PRINCIPAL = "Missing required field Principal"
DUPLICATE_SID = "Statement IDs (SID) in a single policy must be unique."
VENDOR_PREFIX = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
VERSION_TOO_OLD = "Policy document must be version 2012-10-17 or greater."


def prohibited(field: str) -> str:
    """The message for an element that this policy type does not allow."""
    return f"Has prohibited field {field}"


def bad_vendor(vendor: str) -> str:
    """The message for an action whose service prefix has invalid characters."""
    return f"Vendor {vendor} is not valid"


def bad_resource(resource: str) -> str:
    """The message for a resource that is neither an ARN nor ``*``."""
    return f'Resource {resource} must be in ARN format or "*".'


def bad_principal(kind: str, value: str) -> str:
    """The message for a principal value that is not an account, ARN or id."""
    return f'Invalid principal in policy: "{kind}":"{value}"'
