"""The tree of AWS errors that Sekisho sends.

Every error a client can see is a class named after its AWS wire code. The
class declares the code, the HTTP status and whether the sender (4xx) or the
receiver (5xx) is at fault; the message is the instance's only state. Rules
raise these where they live; `protocol.serialize` turns them into
`<ErrorResponse>` in one place.

    AwsError
     +-- (common errors, not in the service models; IAM/STS "Common Errors")
     |    AccessDenied, ValidationError, InvalidAction, MissingAction,
     |    InvalidClientTokenId, SignatureDoesNotMatch, IncompleteSignature,
     |    MissingAuthenticationToken, RequestExpired, ExpiredToken,
     |    MalformedQueryString, InvalidParameterValue, InvalidParameterCombination,
     |    MissingParameter, Throttling, InternalFailure, ServiceUnavailable,
     |    RequestEntityTooLarge, InvalidHttpRequest
     +-- (errors declared in the `iam` and `sts` models; status from the model)
          NoSuchEntity, EntityAlreadyExists, DeleteConflict, LimitExceeded, ...

`tests/protocol/test_errors.py` checks each modelled class against the model,
so a class here can never disagree with the pinned service definition.
"""

from __future__ import annotations

from typing import ClassVar


class AwsError(Exception):
    """An error with an AWS wire code; its message is safe to show the caller."""

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500
    sender_fault: ClassVar[bool] = False

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class _SenderError(AwsError):
    status = 400
    sender_fault = True


# --- common errors (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html)


class AccessDenied(_SenderError):
    code = "AccessDenied"
    status = 403


class ValidationError(_SenderError):
    code = "ValidationError"


class InvalidAction(_SenderError):
    code = "InvalidAction"


class MissingAction(_SenderError):
    code = "MissingAction"


class InvalidClientTokenId(_SenderError):
    code = "InvalidClientTokenId"
    status = 403


class SignatureDoesNotMatch(_SenderError):
    code = "SignatureDoesNotMatch"
    status = 403


class IncompleteSignature(_SenderError):
    code = "IncompleteSignature"


class MissingAuthenticationToken(_SenderError):
    code = "MissingAuthenticationToken"
    status = 403


class RequestExpired(_SenderError):
    code = "RequestExpired"


class ExpiredToken(_SenderError):
    # STS declares ExpiredTokenException (400) in its model; IAM answers an
    # expired session token with the same code and a 403.
    code = "ExpiredToken"
    status = 403


class MalformedQueryString(_SenderError):
    code = "MalformedQueryString"
    status = 404


class InvalidParameterValue(_SenderError):
    code = "InvalidParameterValue"


class InvalidParameterCombination(_SenderError):
    code = "InvalidParameterCombination"


class MissingParameter(_SenderError):
    code = "MissingParameter"


class InvalidQueryParameter(_SenderError):
    code = "InvalidQueryParameter"


class Throttling(_SenderError):
    code = "Throttling"


class RequestEntityTooLarge(_SenderError):
    code = "RequestEntityTooLarge"
    status = 413


class InvalidHttpRequest(_SenderError):
    code = "InvalidHttpRequest"


class OptInRequired(_SenderError):
    code = "OptInRequired"
    status = 403


class NotImplementedOperation(AwsError):
    """An operation of the model that Sekisho does not implement (docs/operations.md)."""

    code = "NotImplemented"
    status = 501


class InternalFailure(AwsError):
    code = "InternalFailure"
    status = 500


class ServiceUnavailable(AwsError):
    code = "ServiceUnavailable"
    status = 503


# --- errors declared in the IAM model


class ConcurrentModification(_SenderError):
    code = "ConcurrentModification"
    status = 409


class DeleteConflict(_SenderError):
    code = "DeleteConflict"
    status = 409


class DuplicateCertificate(_SenderError):
    code = "DuplicateCertificate"
    status = 409


class DuplicateSSHPublicKey(_SenderError):
    code = "DuplicateSSHPublicKey"


class EntityAlreadyExists(_SenderError):
    code = "EntityAlreadyExists"
    status = 409


class EntityTemporarilyUnmodifiable(_SenderError):
    code = "EntityTemporarilyUnmodifiable"
    status = 409


class InvalidAuthenticationCode(_SenderError):
    code = "InvalidAuthenticationCode"
    status = 403


class InvalidCertificate(_SenderError):
    code = "InvalidCertificate"


class FeatureDisabled(_SenderError):
    code = "FeatureDisabled"
    status = 404


class FeatureEnabled(_SenderError):
    code = "FeatureEnabled"
    status = 409


class OpenIdIdpCommunicationError(_SenderError):
    code = "OpenIdIdpCommunicationError"


class ReportGenerationLimitExceeded(_SenderError):
    code = "ReportGenerationLimitExceeded"
    status = 409


class InvalidInput(_SenderError):
    code = "InvalidInput"


class InvalidPublicKey(_SenderError):
    code = "InvalidPublicKey"


class InvalidUserType(_SenderError):
    code = "InvalidUserType"


class KeyPairMismatch(_SenderError):
    code = "KeyPairMismatch"


class LimitExceeded(_SenderError):
    code = "LimitExceeded"
    status = 409


class MalformedCertificate(_SenderError):
    code = "MalformedCertificate"


class MalformedPolicyDocument(_SenderError):
    code = "MalformedPolicyDocument"


class NoSuchEntity(_SenderError):
    code = "NoSuchEntity"
    status = 404


class NotSupportedService(_SenderError):
    code = "NotSupportedService"
    status = 404


class PasswordPolicyViolation(_SenderError):
    code = "PasswordPolicyViolation"


class PolicyEvaluation(AwsError):
    code = "PolicyEvaluation"
    status = 500


class PolicyNotAttachable(_SenderError):
    code = "PolicyNotAttachable"


class ServiceFailure(AwsError):
    code = "ServiceFailure"
    status = 500


class UnmodifiableEntity(_SenderError):
    code = "UnmodifiableEntity"


class UnrecognizedPublicKeyEncoding(_SenderError):
    code = "UnrecognizedPublicKeyEncoding"


class ReportExpired(_SenderError):
    code = "ReportExpired"
    status = 410


class ReportInProgress(_SenderError):
    code = "ReportInProgress"
    status = 404


class ReportNotPresent(_SenderError):
    code = "ReportNotPresent"
    status = 410


# --- errors declared in the STS model


class PackedPolicyTooLarge(_SenderError):
    code = "PackedPolicyTooLarge"


class RegionDisabledException(_SenderError):
    code = "RegionDisabledException"
    status = 403


class IDPRejectedClaim(_SenderError):
    code = "IDPRejectedClaim"
    status = 403


class InvalidIdentityToken(_SenderError):
    code = "InvalidIdentityToken"


class IDPCommunicationError(_SenderError):
    code = "IDPCommunicationError"


class InvalidAuthorizationMessageException(_SenderError):
    code = "InvalidAuthorizationMessageException"


class ExpiredTokenException(_SenderError):
    """STS's own code for an expired token passed as a parameter (web identity, SAML)."""

    code = "ExpiredTokenException"


class JWTPayloadSizeExceededException(_SenderError):
    code = "JWTPayloadSizeExceededException"


class SessionDurationEscalationException(_SenderError):
    code = "SessionDurationEscalationException"
    status = 403
