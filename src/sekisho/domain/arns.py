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


def parse_iam(arn: str, kind: str) -> tuple[str, str, str] | None:
    """(account, path, name) of an IAM ARN of `kind` (`user`, `role`, ...) in any
    partition, `arn:PARTITION:iam::ACCOUNT:KIND/PATH/NAME`; None for any other string.

        parse_iam("arn:aws:iam::123456789012:user/team/alice", "user")
            -> ("123456789012", "/team/", "alice")
    """
    parts = arn.split(":", 5)
    if (len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3]
            or not parts[5].startswith(kind + "/")):
        return None
    path, _, name = parts[5][len(kind):].rpartition("/")
    return parts[4], path + "/", name
