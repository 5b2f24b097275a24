"""Applying a seed: one write transaction, through the domain functions, idempotently.

The seed converges the database towards what it declares: what is missing is
created, what differs is brought to the declared value, and what the seed
does not mention is left alone (other users, extra tags, other attached
policies, group memberships it does not list). Every value is compared
before it is written, so applying the same seed twice writes nothing the
second time, not even the account's generation counter.

A few things cannot be converged, because IAM cannot change them either; the
seed then fails with the path of the value and the reason: the path of an
existing role, customer managed policy or instance profile, the description
of an existing customer managed policy, an access key or MFA device that
belongs to another user, an instance profile that holds another role, and a
service-linked role of the same name.

Everything happens in one transaction (`Store.write`), so a seed that fails
anywhere, in any account, writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sekisho.domain import (
    access_keys,
    accounts,
    arns,
    boundaries,
    groups,
    inline_policies,
    instance_profiles,
    login_profiles,
    mfa,
    passwords,
    policies,
    roles,
    users,
)
from sekisho.domain.access_keys import NewAccessKey
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas
from sekisho.domain.secretbox import SecretBox
from sekisho.errors import AwsError
from sekisho.seed.credentials import (
    import_access_key,
    import_mfa_device,
    open_mfa_seed,
    same_secret,
)
from sekisho.seed.schema import (
    Seed,
    SeedAccessKey,
    SeedAccount,
    SeedError,
    SeedGroup,
    SeedInstanceProfile,
    SeedLoginProfile,
    SeedMfaDevice,
    SeedPolicy,
    SeedRole,
    SeedUser,
)
from sekisho.store import login_profiles as stored_login_profiles
from sekisho.store import mfa as stored_mfa
from sekisho.store import policies as stored_policies
from sekisho.store.records import Tag, UserRecord
from sekisho.store.sql import Store, Tx


@dataclass(frozen=True)
class SeedResult:
    """What applying a seed did: one line per change (empty when nothing changed), and the
    random root keys of accounts it created without declaring `root_access_keys`."""

    changes: tuple[str, ...]
    new_root_keys: tuple[NewAccessKey, ...]


class _Run:
    """The state of one application: the transaction and what has changed so far."""

    def __init__(self, tx: Tx, box: SecretBox, now: datetime, partition: str, source: str,
                 quotas: Quotas) -> None:
        self.tx = tx
        self.box = box
        self.now = now
        self.partition = partition
        self.source = source
        self.quotas = quotas
        self.changes: list[str] = []
        self.root_keys: list[NewAccessKey] = []

    def changed(self, what: str) -> None:
        self.changes.append(what)

    def fail(self, path: str, reason: str) -> SeedError:
        return SeedError(self.source, path, reason)

    @contextmanager
    def at(self, path: str) -> Iterator[None]:
        """Reports an AWS error raised by a domain rule as a SeedError at `path`."""
        try:
            yield
        except AwsError as exc:
            raise SeedError(self.source, path, f"{exc.code}: {exc.message}") from None


def apply_seed(store: Store, box: SecretBox, seed: Seed, now: datetime, *,
               partition: str = "aws", quotas: Quotas = DEFAULT_QUOTAS) -> SeedResult:
    """Applies `seed` in one write transaction; raises SeedError (and writes nothing) when
    a rule of IAM refuses a value, naming the value's path in the seed file."""
    with store.write() as tx:
        run = _Run(tx, box, now, partition, seed.source, quotas)
        for account in seed.accounts:
            _apply_account(run, account)
    return SeedResult(tuple(run.changes), tuple(run.root_keys))


# --- comparisons


def same_document(stored: str | None, declared: str) -> bool:
    """Whether two policy documents are the same JSON (white space and spelling aside)."""
    if stored is None:
        return False
    try:
        return bool(json.loads(stored) == json.loads(declared))
    except ValueError:
        return stored == declared


def _missing_tags(current: Sequence[Tag], declared: Sequence[Tag]) -> list[Tag]:
    have = {t.key.lower(): t for t in current}
    return [t for t in declared if have.get(t.key.lower()) != t]


def _converge_tags(run: _Run, entity_id: str, declared: Sequence[Tag], where: str, what: str,
                   tag: Callable[[list[Tag]], None]) -> None:
    missing = _missing_tags(run.tx.tags_of(entity_id), declared)
    if missing:
        with run.at(where):
            tag(missing)
        run.changed(f"tagged {what}")


# --- accounts


def _apply_account(run: _Run, seed: SeedAccount) -> None:
    tx, account_id = run.tx, seed.account_id
    record = tx.get_account(account_id)
    if record is None:
        with run.at(seed.where + ".id"):
            record, key = accounts.create_account(tx, run.box, run.now, account_id)
        run.changed(f"created account {account_id}")
        if seed.root_access_keys is None:
            run.root_keys.append(key)
        else:
            # The seed declares the root user's keys: the generated one would be a key
            # nobody was told about.
            access_keys.delete_access_key(tx, account_id, None, key.record.access_key_id)
    if seed.alias is not None and record.alias != seed.alias:
        with run.at(seed.where + ".alias"):
            accounts.create_alias(tx, account_id, seed.alias)
        run.changed(f"set alias {seed.alias} of account {account_id}")
    for key_seed in seed.root_access_keys or ():
        _apply_access_key(run, account_id, None, key_seed, f"root user of {account_id}")
    for policy_seed in seed.policies:
        _apply_policy(run, account_id, policy_seed)
    for group_seed in seed.groups:
        _apply_group(run, account_id, group_seed)
    for user_seed in seed.users:
        _apply_user(run, account_id, user_seed)
    for role_seed in seed.roles:
        _apply_role(run, account_id, role_seed)


def _apply_access_key(run: _Run, account_id: str, user_id: str | None, seed: SeedAccessKey,
                      owner: str) -> None:
    tx, key_id = run.tx, seed.access_key_id
    existing = tx.access_key(key_id)
    if existing is not None and (existing.account_id, existing.user_id) != (account_id,
                                                                            user_id):
        raise run.fail(seed.where + ".id", f"access key {key_id} belongs to another user")
    if existing is not None and same_secret(access_keys.open_secret(run.box, existing),
                                            seed.secret):
        if existing.status != seed.status:
            access_keys.update_access_key(tx, account_id, user_id, key_id, seed.status)
            run.changed(f"set access key {key_id} of {owner} {seed.status}")
        return
    with run.at(seed.where):
        if existing is not None:
            access_keys.delete_access_key(tx, account_id, user_id, key_id)
        import_access_key(tx, run.box, account_id, user_id, key_id, seed.secret, seed.status,
                          run.now)
    run.changed(f"{'replaced' if existing else 'created'} access key {key_id} of {owner}")


# --- managed policies


def _apply_policy(run: _Run, account_id: str, seed: SeedPolicy) -> None:
    tx = run.tx
    root = arns.root(run.partition, account_id)
    existing = next((p for p in stored_policies.list_policies(tx, account_id, "/")
                     if p.name.lower() == seed.name.lower()), None)
    if existing is None:
        with run.at(seed.where):
            policies.create_policy(tx, run.partition, account_id, seed.name, seed.path,
                                   seed.document, seed.description, seed.tags, run.now,
                                   run.quotas)
        run.changed(f"created policy {seed.name}")
        return
    if existing.path != seed.path:
        raise run.fail(seed.where + ".path", f"policy {existing.name} exists with path "
                                             f"{existing.path}; a policy's path cannot change")
    if seed.description is not None and existing.description != seed.description:
        raise run.fail(seed.where + ".description",
                       f"policy {existing.name} exists with another description; a policy's "
                       "description cannot change")
    if not same_document(policies.document_of(tx, existing.arn), seed.document):
        with run.at(seed.where + ".document"):
            policies.create_version(tx, account_id, existing.arn, seed.document, True, run.now,
                                    root, run.quotas)
        run.changed(f"set a new default version of policy {seed.name}")
    _converge_tags(run, existing.policy_id, seed.tags, seed.where + ".tags",
                   f"policy {seed.name}",
                   lambda tags: policies.tag_policy(tx, account_id, existing.arn, tags, root))


# --- policies of users, groups and roles


def _apply_inline(run: _Run, account_id: str, entity: policies.Entity,
                  declared: Sequence[tuple[str, str]], where: str) -> None:
    for name, document in declared:
        if not same_document(stored_policies.inline(run.tx, entity.entity_id, name), document):
            with run.at(f"{where}.inline_policies.{name}"):
                inline_policies.put(run.tx, account_id, entity, name, document, run.quotas)
            run.changed(f"put inline policy {name} of {entity.kind} {entity.name}")


def _apply_managed(run: _Run, account_id: str, entity: policies.Entity,
                   declared: Sequence[str], where: str) -> None:
    attached = set(stored_policies.attached_to(run.tx, entity.entity_id))
    for position, arn in enumerate(declared):
        if arn not in attached:
            with run.at(f"{where}.managed_policies[{position}]"):
                policies.attach(run.tx, account_id, entity, arn, run.now, run.quotas)
            run.changed(f"attached {arn} to {entity.kind} {entity.name}")


# --- groups


def _apply_group(run: _Run, account_id: str, seed: SeedGroup) -> None:
    tx = run.tx
    group = tx.group_by_name(account_id, seed.name)
    with run.at(seed.where):
        if group is None:
            groups.create_group(tx, account_id, seed.name, seed.path, run.now,
                                quotas=run.quotas)
            run.changed(f"created group {seed.name}")
        elif group.path != seed.path:
            groups.update_group(tx, account_id, seed.name, None, seed.path)
            run.changed(f"moved group {seed.name} to {seed.path}")
    entity = policies.group_entity(tx, account_id, seed.name)
    _apply_inline(run, account_id, entity, seed.inline_policies, seed.where)
    _apply_managed(run, account_id, entity, seed.managed_policies, seed.where)


# --- users


def _apply_user(run: _Run, account_id: str, seed: SeedUser) -> None:
    tx = run.tx
    user = tx.user_by_name(account_id, seed.name)
    boundary = seed.permissions_boundary
    if boundary is not None and (user is None or user.permissions_boundary_arn != boundary):
        with run.at(seed.where + ".permissions_boundary"):
            boundaries.check_boundary(tx, account_id, boundary)
    with run.at(seed.where):
        if user is None:
            user = users.create_user(tx, account_id, seed.name, seed.path, seed.tags, boundary,
                                     run.now, quotas=run.quotas)
            run.changed(f"created user {seed.name}")
        else:
            _converge_user(run, account_id, user, seed)
    for position, group_name in enumerate(seed.groups):
        if all(g.name.lower() != group_name.lower() for g in tx.all_groups_of_user(user.user_id)):
            with run.at(f"{seed.where}.groups[{position}]"):
                groups.add_user_to_group(tx, account_id, group_name, seed.name, run.now)
            run.changed(f"added user {seed.name} to group {group_name}")
    entity = policies.user_entity(tx, account_id, seed.name)
    _apply_inline(run, account_id, entity, seed.inline_policies, seed.where)
    _apply_managed(run, account_id, entity, seed.managed_policies, seed.where)
    for key_seed in seed.access_keys:
        _apply_access_key(run, account_id, user.user_id, key_seed, f"user {seed.name}")
    if seed.login_profile is not None:
        _apply_login_profile(run, account_id, user, seed.login_profile)
    for device in seed.mfa_devices:
        _apply_mfa_device(run, account_id, user, device)


def _converge_user(run: _Run, account_id: str, user: UserRecord, seed: SeedUser) -> None:
    tx = run.tx
    if user.path != seed.path:
        users.update_user(tx, account_id, seed.name, None, seed.path)
        run.changed(f"moved user {seed.name} to {seed.path}")
    if seed.permissions_boundary is not None \
            and user.permissions_boundary_arn != seed.permissions_boundary:
        boundaries.put_user_boundary(tx, account_id, user.user_id, seed.permissions_boundary)
        run.changed(f"set the permissions boundary of user {seed.name}")
    _converge_tags(run, user.user_id, seed.tags, seed.where + ".tags", f"user {seed.name}",
                   lambda tags: users.tag_user(tx, account_id, seed.name, tags))


def _apply_login_profile(run: _Run, account_id: str, user: UserRecord,
                         seed: SeedLoginProfile) -> None:
    tx, now = run.tx, run.now
    profile = stored_login_profiles.profile_of(tx, user.user_id)
    if profile is None:
        same = False
    elif seed.password is not None:
        same = passwords.verify_password(profile.password_hash, seed.password)
    else:
        same = same_secret(profile.password_hash, seed.password_hash or "")
    if same and profile is not None:
        if profile.password_reset_required != seed.reset_required:
            login_profiles.update_login_profile(tx, account_id, user, None, seed.reset_required,
                                                now)
            run.changed(f"set password_reset_required of user {user.name}")
        return
    where = seed.where + (".password" if seed.password is not None else ".password_hash")
    with run.at(where):
        if seed.password is not None:
            # The account's password policy applies to seeded passwords as to any other.
            if profile is None:
                login_profiles.prepare_create(tx, account_id, user.name, seed.password)
            else:
                login_profiles.prepare_update(tx, account_id, user.name, seed.password)
        password_hash = (passwords.hash_password(seed.password) if seed.password is not None
                         else seed.password_hash or "")
        if profile is None:
            login_profiles.create_login_profile(tx, account_id, user, password_hash,
                                                seed.reset_required, now)
        else:
            login_profiles.update_login_profile(tx, account_id, user, password_hash,
                                                seed.reset_required, now)
    run.changed(f"{'created' if profile is None else 'set'} the login profile of user "
                f"{user.name}")


def _apply_mfa_device(run: _Run, account_id: str, user: UserRecord,
                      seed: SeedMfaDevice) -> None:
    tx = run.tx
    serial = mfa.serial_number(run.partition, account_id, seed.path, seed.name)
    device = stored_mfa.device_by_serial(tx, account_id, serial)
    if device is not None:
        if device.user_id not in (None, user.user_id):
            raise run.fail(seed.where, f"MFA device {serial} is assigned to another user")
        if device.user_id == user.user_id and same_secret(open_mfa_seed(run.box, device),
                                                          seed.seed):
            return
    with run.at(seed.where):
        if device is not None:
            if device.user_id is not None:
                mfa.deactivate_device(tx, account_id, user.name, serial)
            mfa.delete_virtual_device(tx, account_id, serial)
        import_mfa_device(tx, run.box, user, serial, seed.seed, run.now, run.quotas)
    run.changed(f"{'replaced' if device else 'created'} MFA device {serial} of user "
                f"{user.name}")


# --- roles


def _apply_role(run: _Run, account_id: str, seed: SeedRole) -> None:
    tx = run.tx
    role = roles.find_role(tx, account_id, seed.name)
    if role is None:
        if seed.permissions_boundary is not None:
            with run.at(seed.where + ".permissions_boundary"):
                boundaries.check_boundary(tx, account_id, seed.permissions_boundary)
        with run.at(seed.where):
            role = roles.create_role(tx, account_id, seed.name, seed.path, seed.trust_policy,
                                     seed.description, seed.max_session_duration,
                                     seed.permissions_boundary, seed.tags, run.now, run.quotas)
        run.changed(f"created role {seed.name}")
    else:
        _converge_role(run, account_id, role, seed)
    with run.at(seed.where):
        entity = policies.role_entity(tx, account_id, seed.name, modifying=True)
    _apply_inline(run, account_id, entity, seed.inline_policies, seed.where)
    _apply_managed(run, account_id, entity, seed.managed_policies, seed.where)
    for profile in seed.instance_profiles:
        _apply_instance_profile(run, account_id, role, profile)


def _converge_role(run: _Run, account_id: str, role: roles.RoleRecord, seed: SeedRole) -> None:
    tx = run.tx
    if role.linked_service is not None:
        raise run.fail(seed.where + ".name", f"{role.name} is a service-linked role; only its "
                                             "service changes it")
    if role.path != seed.path:
        raise run.fail(seed.where + ".path", f"role {role.name} exists with path {role.path}; "
                                             "a role's path cannot change")
    if not same_document(role.trust_policy, seed.trust_policy):
        with run.at(seed.where + ".trust_policy"):
            roles.update_trust_policy(tx, account_id, seed.name, seed.trust_policy, run.quotas)
        run.changed(f"set the trust policy of role {seed.name}")
    description = seed.description if seed.description != role.description else None
    duration = (seed.max_session_duration
                if seed.max_session_duration != role.max_session_duration else None)
    if description is not None or duration is not None:
        roles.update_role(tx, account_id, seed.name, description, duration)
        run.changed(f"updated role {seed.name}")
    boundary = seed.permissions_boundary
    if boundary is not None and role.permissions_boundary_arn != boundary:
        with run.at(seed.where + ".permissions_boundary"):
            roles.put_permissions_boundary(tx, account_id, seed.name, boundary)
        run.changed(f"set the permissions boundary of role {seed.name}")
    _converge_tags(run, role.role_id, seed.tags, seed.where + ".tags", f"role {seed.name}",
                   lambda tags: roles.tag_role(tx, account_id, seed.name, tags))


def _apply_instance_profile(run: _Run, account_id: str, role: roles.RoleRecord,
                            seed: SeedInstanceProfile) -> None:
    tx = run.tx
    profile = instance_profiles.find_instance_profile(tx, account_id, seed.name)
    with run.at(seed.where):
        if profile is None:
            instance_profiles.create_instance_profile(tx, account_id, seed.name, seed.path,
                                                      seed.tags, run.now, run.quotas)
            instance_profiles.add_role(tx, account_id, seed.name, role.name, run.quotas)
            run.changed(f"created instance profile {seed.name} with role {role.name}")
            return
    if profile.path != seed.path:
        raise run.fail(seed.where + ".path", f"instance profile {profile.name} exists with path "
                                             f"{profile.path}; its path cannot change")
    if profile.role_id is None:
        with run.at(seed.where):
            instance_profiles.add_role(tx, account_id, seed.name, role.name, run.quotas)
        run.changed(f"added role {role.name} to instance profile {seed.name}")
    elif profile.role_id != role.role_id:
        raise run.fail(seed.where, f"instance profile {profile.name} holds another role")
    _converge_tags(run, profile.instance_profile_id, seed.tags, seed.where + ".tags",
                   f"instance profile {seed.name}",
                   lambda tags: instance_profiles.tag_instance_profile(tx, account_id,
                                                                       seed.name, tags))
