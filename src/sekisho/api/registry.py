"""Which handler serves which operation: one explicit table, no decorators.

Operations of the `iam` and `sts` models that are missing here are answered
with `NotImplemented` (see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable

from sekisho.api.context import Call, Params, Result
from sekisho.api.iam import access_keys, account, groups, users
from sekisho.api.sts import identity

Handler = Callable[[Call, Params], Result]

HANDLERS: dict[tuple[str, str], Handler] = {
    ("iam", "CreateUser"): users.create_user,
    ("iam", "GetUser"): users.get_user,
    ("iam", "ListUsers"): users.list_users,
    ("iam", "UpdateUser"): users.update_user,
    ("iam", "DeleteUser"): users.delete_user,
    ("iam", "TagUser"): users.tag_user,
    ("iam", "UntagUser"): users.untag_user,
    ("iam", "ListUserTags"): users.list_user_tags,
    ("iam", "CreateGroup"): groups.create_group,
    ("iam", "GetGroup"): groups.get_group,
    ("iam", "ListGroups"): groups.list_groups,
    ("iam", "UpdateGroup"): groups.update_group,
    ("iam", "DeleteGroup"): groups.delete_group,
    ("iam", "AddUserToGroup"): groups.add_user_to_group,
    ("iam", "RemoveUserFromGroup"): groups.remove_user_from_group,
    ("iam", "ListGroupsForUser"): groups.list_groups_for_user,
    ("iam", "CreateAccessKey"): access_keys.create_access_key,
    ("iam", "ListAccessKeys"): access_keys.list_access_keys,
    ("iam", "UpdateAccessKey"): access_keys.update_access_key,
    ("iam", "DeleteAccessKey"): access_keys.delete_access_key,
    ("iam", "GetAccessKeyLastUsed"): access_keys.get_access_key_last_used,
    ("iam", "CreateAccountAlias"): account.create_account_alias,
    ("iam", "DeleteAccountAlias"): account.delete_account_alias,
    ("iam", "ListAccountAliases"): account.list_account_aliases,
    ("sts", "GetCallerIdentity"): identity.get_caller_identity,
    ("sts", "GetAccessKeyInfo"): identity.get_access_key_info,
}

# Handlers that need no database: run on the event loop, skipping the thread hop.
INLINE = frozenset({("sts", "GetCallerIdentity"), ("sts", "GetAccessKeyInfo")})
