"""IAM operations on the account: its alias."""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import accounts


def create_account_alias(call: Call, p: Params) -> Result:
    call.authorize("iam:CreateAccountAlias", "*")
    with call.services.store.write() as tx:
        accounts.create_alias(tx, call.account_id, p["AccountAlias"])
    return None


def delete_account_alias(call: Call, p: Params) -> Result:
    call.authorize("iam:DeleteAccountAlias", "*")
    with call.services.store.write() as tx:
        accounts.delete_alias(tx, call.account_id, p["AccountAlias"])
    return None


def list_account_aliases(call: Call, p: Params) -> Result:
    call.authorize("iam:ListAccountAliases", "*")
    with call.services.store.read() as tx:
        account = tx.get_account(call.account_id)
    aliases = [account.alias] if account and account.alias else []
    return {"AccountAliases": aliases, "IsTruncated": False}


OPERATIONS: dict[str, Handler] = {
    "CreateAccountAlias": create_account_alias,
    "DeleteAccountAlias": delete_account_alias,
    "ListAccountAliases": list_account_aliases,
}
