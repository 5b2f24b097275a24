"""IAM operations on console passwords: CreateLoginProfile, GetLoginProfile,
UpdateLoginProfile, DeleteLoginProfile and ChangePassword.

Each operation on a named user reads the user's path and tags first, so that
the authorization sees the user's real ARN and `aws:ResourceTag/...`; a
missing user is authorized as `user/NAME` and only then reported as
NoSuchEntity. Without UserName an operation is about the calling IAM user;
a root caller must name the user (AWS requires an AssumeRoot session to
omit it, which Sekisho does not offer).

Passwords are hashed between a read transaction that checks them and a write
transaction that stores the hash (see `sekisho.domain.login_profiles`); they
are never returned, logged or put in a message.
"""

from __future__ import annotations

from sekisho.api.context import Call, Handler, Params, Result
from sekisho.domain import arns, login_profiles, passwords
from sekisho.domain.authorization import ContextValue, check_session_may_call
from sekisho.errors import AccessDenied, InvalidUserType, ValidationError

NO_USER_NAME_MESSAGE = "Must specify userName when calling with non-User credentials"
NOT_AN_IAM_USER_MESSAGE = ("ChangePassword changes the password of the calling IAM user; "
                           "the caller is not an IAM user.")


def _user_name(call: Call, given: str | None) -> str:
    if given:
        return given
    if call.caller.type == "user" and call.caller.user_name:
        return call.caller.user_name
    raise ValidationError(NO_USER_NAME_MESSAGE)


def _authorize_user(call: Call, action: str, name: str) -> None:
    """Authorizes `action` on the user's real ARN, with its tags as resource tags."""
    with call.services.store.read() as tx:
        rec = tx.user_by_name(call.account_id, name)
        tags = tx.tags_of(rec.user_id) if rec else []
    arn = arns.user(call.partition, call.account_id, rec.path if rec else "/", name)
    context: dict[str, ContextValue] = {f"aws:ResourceTag/{t.key}": t.value for t in tags}
    call.authorize(action, arn, context=context)


def _profile_output(profile: login_profiles.LoginProfile) -> dict[str, object]:
    return {"UserName": profile.user_name, "CreateDate": profile.created_at,
            "PasswordResetRequired": profile.password_reset_required}


def create_login_profile(call: Call, p: Params) -> Result:
    name = _user_name(call, p.get("UserName"))
    _authorize_user(call, "iam:CreateLoginProfile", name)
    password = p.get("Password")
    if password is None:
        # Optional in the model only for AssumeRoot sessions, which Sekisho does not issue.
        raise ValidationError("1 validation error detected: Value null at 'password' failed "
                              "to satisfy constraint: Member must not be null")
    with call.services.store.read() as tx:
        user = login_profiles.prepare_create(tx, call.account_id, name, password)
    digest = passwords.hash_password(password)
    with call.services.store.write() as tx:
        profile = login_profiles.create_login_profile(
            tx, call.account_id, user, digest, bool(p.get("PasswordResetRequired", False)),
            call.now)
    return {"LoginProfile": _profile_output(profile)}


def get_login_profile(call: Call, p: Params) -> Result:
    name = _user_name(call, p.get("UserName"))
    _authorize_user(call, "iam:GetLoginProfile", name)
    with call.services.store.read() as tx:
        profile = login_profiles.get_login_profile(tx, call.account_id, name, call.now)
    return {"LoginProfile": _profile_output(profile)}


def update_login_profile(call: Call, p: Params) -> Result:
    name = p["UserName"]
    _authorize_user(call, "iam:UpdateLoginProfile", name)
    password = p.get("Password")
    with call.services.store.read() as tx:
        user = login_profiles.prepare_update(tx, call.account_id, name, password)
    digest = passwords.hash_password(password) if password is not None else None
    with call.services.store.write() as tx:
        login_profiles.update_login_profile(tx, call.account_id, user, digest,
                                            p.get("PasswordResetRequired"), call.now)
    return None


def delete_login_profile(call: Call, p: Params) -> Result:
    name = _user_name(call, p.get("UserName"))
    _authorize_user(call, "iam:DeleteLoginProfile", name)
    with call.services.store.write() as tx:
        login_profiles.delete_login_profile(tx, call.account_id, name)
    return None


def _authorize_change(call: Call) -> None:
    """iam:ChangePassword on the caller's own user. With AllowUsersToChangePassword the
    account grants it to every IAM user ("This allows all users in the account access
    to the iam:ChangePassword action for only their user", IAM User Guide, "Permit IAM
    users to change their own passwords"); an explicit deny still wins."""
    try:
        call.authorize("iam:ChangePassword", call.caller.arn)
    except AccessDenied as denied:
        if "with an explicit deny" in denied.message:
            raise
        with call.services.store.read() as tx:
            granted = login_profiles.user_may_change(tx, call.account_id)
        if not granted:
            raise


def change_password(call: Call, p: Params) -> Result:
    # What a session may not call at all comes first (GetFederationToken sessions, user
    # sessions without MFA); then "This command can be called by IAM users only" (AWS CLI
    # reference, change-password): root and role sessions get InvalidUserType.
    check_session_may_call(call.caller, "iam:ChangePassword")
    if call.caller.type != "user":
        raise InvalidUserType(NOT_AN_IAM_USER_MESSAGE)
    _authorize_change(call)
    with call.services.store.read() as tx:
        change = login_profiles.prepare_change(
            tx, call.account_id, call.caller.user_id, call.caller.user_name or "",
            p["OldPassword"], p["NewPassword"], call.now)
    digest = passwords.hash_password(p["NewPassword"])
    with call.services.store.write() as tx:
        login_profiles.change_password(tx, call.account_id, change, digest, call.now)
    return None


OPERATIONS: dict[str, Handler] = {
    "CreateLoginProfile": create_login_profile,
    "GetLoginProfile": get_login_profile,
    "UpdateLoginProfile": update_login_profile,
    "DeleteLoginProfile": delete_login_profile,
    "ChangePassword": change_password,
}
