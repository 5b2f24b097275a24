"""Inline policies: the policy documents embedded in one user, group or role.

The size quota counts all of an entity's inline policies together, white
space outside strings not counted (IAM User Guide, "IAM and AWS STS character
quotas": user 2,048, group 5,120, role 10,240 characters); AWS reports an
excess as `Maximum policy size of 2048 bytes exceeded for user NAME`.
"""

from __future__ import annotations

from sekisho import policy
from sekisho.domain.policies import Entity, check_document
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas
from sekisho.errors import LimitExceeded, NoSuchEntity
from sekisho.store import policies as stored
from sekisho.store.sql import Tx


def not_found(entity: Entity, name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The {entity.kind} policy with name {name} cannot be found.")


def _size_limit(kind: str, limits: Quotas) -> int:
    return {"user": limits.user_policy_size, "group": limits.group_policy_size,
            "role": limits.role_policy_size}[kind]


def put(tx: Tx, account_id: str, entity: Entity, name: str, document: str,
        limits: Quotas = DEFAULT_QUOTAS) -> None:
    """Adds or replaces the entity's inline policy `name`.

    MalformedPolicyDocument for a document that is not a valid identity policy;
    LimitExceeded when the entity's inline policies together would pass its quota.
    """
    size = check_document(document)
    others = sum(policy.policy_size(doc) for other, doc in stored.inline_of(tx, entity.entity_id)
                 if other != name)
    limit = _size_limit(entity.kind, limits)
    if others + size > limit:
        raise LimitExceeded(f"Maximum policy size of {limit} bytes exceeded for {entity.kind} "
                            f"{entity.name}")
    stored.put_inline(tx, account_id, entity.entity_id, name, document)
    tx.bump_generation(account_id)


def get(tx: Tx, entity: Entity, name: str) -> str:
    document = stored.inline(tx, entity.entity_id, name)
    if document is None:
        raise not_found(entity, name)
    return document


def delete(tx: Tx, account_id: str, entity: Entity, name: str) -> None:
    if not stored.delete_inline(tx, entity.entity_id, name):
        raise not_found(entity, name)
    tx.bump_generation(account_id)


def names(tx: Tx, entity: Entity) -> list[str]:
    """The names of the entity's inline policies, sorted."""
    return [n for n, _ in stored.inline_of(tx, entity.entity_id)]
