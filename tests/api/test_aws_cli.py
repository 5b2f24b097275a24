"""The AWS CLI, unmodified, against the server: the way most people will first meet it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.server import RunningServer


def aws(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_SHARED_CREDENTIALS_FILE": str(server.data_dir / "root-credentials"),
        "AWS_CONFIG_FILE": str(server.data_dir / "config"),
        "AWS_PROFILE": "sekisho-root",
        "AWS_ENDPOINT_URL_IAM": server.endpoint,
        "AWS_ENDPOINT_URL_STS": server.endpoint,
        "AWS_MAX_ATTEMPTS": "1",
    })
    cli = Path(sys.executable).parent / "aws"
    return subprocess.run([str(cli), *args, "--output", "json"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_cli_get_caller_identity_with_the_generated_profile(server: RunningServer) -> None:
    result = aws(server, "sts", "get-caller-identity")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"].endswith(":root")


def test_cli_creates_and_lists_users(server: RunningServer, unique: str) -> None:
    created = aws(server, "iam", "create-user", "--user-name", f"cli-{unique}",
                  "--tags", "Key=team,Value=cli")
    assert created.returncode == 0, created.stderr
    listed = aws(server, "iam", "list-users")
    assert f"cli-{unique}" in [u["UserName"] for u in json.loads(listed.stdout)["Users"]]


def test_cli_reports_aws_error_code_and_exit_status(server: RunningServer, unique: str) -> None:
    result = aws(server, "iam", "get-user", "--user-name", f"missing-{unique}")
    assert result.returncode != 0  # 255 from AWS CLI v1, 254 from v2
    assert "(NoSuchEntity)" in result.stderr
    assert f"The user with name missing-{unique} cannot be found." in result.stderr


def test_cli_access_key_roundtrip(server: RunningServer, unique: str) -> None:
    aws(server, "iam", "create-user", "--user-name", f"clikey-{unique}")
    key = json.loads(aws(server, "iam", "create-access-key", "--user-name",
                         f"clikey-{unique}").stdout)["AccessKey"]
    listed = json.loads(aws(server, "iam", "list-access-keys", "--user-name",
                            f"clikey-{unique}").stdout)
    assert [k["AccessKeyId"] for k in listed["AccessKeyMetadata"]] == [key["AccessKeyId"]]
