"""STS DecodeAuthorizationMessage."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import authorization_message


def decode_authorization_message(call: Call, p: Params) -> Result:
    """The decoded form of a message this server encoded for the caller's account.

    AccessDenied unless the caller may `sts:DecodeAuthorizationMessage`;
    InvalidAuthorizationMessageException for any other text.
    """
    call.authorize("sts:DecodeAuthorizationMessage", "*")
    decoded = authorization_message.decode(call.services.box, call.account_id,
                                           p["EncodedMessage"])
    return {"DecodedMessage": decoded}


OPERATIONS: dict[str, Handler] = {"DecodeAuthorizationMessage": decode_authorization_message}
