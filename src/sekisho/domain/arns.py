"""ARNs of IAM and STS entities, in the configured partition."""

from __future__ import annotations


def iam(partition: str, account_id: str, resource: str) -> str:
    return f"arn:{partition}:iam::{account_id}:{resource}"


def root(partition: str, account_id: str) -> str:
    return iam(partition, account_id, "root")


def user(partition: str, account_id: str, path: str, name: str) -> str:
    return iam(partition, account_id, f"user{path}{name}")


def group(partition: str, account_id: str, path: str, name: str) -> str:
    return iam(partition, account_id, f"group{path}{name}")


def role(partition: str, account_id: str, path: str, name: str) -> str:
    return iam(partition, account_id, f"role{path}{name}")


def policy(partition: str, account_id: str, path: str, name: str) -> str:
    return iam(partition, account_id, f"policy{path}{name}")
