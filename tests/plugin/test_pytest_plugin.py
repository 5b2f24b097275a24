"""The pytest plugin: fixtures, the principal helper, modes by flag, ini option and marker."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.plugin.conftest import plugin_args

ROOT = Path(__file__).resolve().parents[2]

POLICIES = '''
import json
import pytest
from botocore.exceptions import ClientError

READ_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}
EVERYTHING = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
'''


def test_given_a_policy_a_call_is_denied_in_three_lines(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(POLICIES + '''
def test_denied(sekisho_principal):
    reader = sekisho_principal(policies=[READ_ONLY])
    with pytest.raises(ClientError, match="AccessDenied"):
        reader.client("iam").create_user(UserName="nope")

def test_allowed(sekisho_principal):
    reader = sekisho_principal(policies=[json.dumps(READ_ONLY)])
    assert "Users" in reader.client("iam").list_users()

def test_managed_policy_by_arn(sekisho_principal):
    reader = sekisho_principal(policies=["arn:aws:iam::aws:policy/IAMReadOnlyAccess"])
    reader.client("iam").list_users()
    with pytest.raises(ClientError, match="AccessDenied"):
        reader.client("iam").create_user(UserName="nope")

def test_boundary_caps_the_policies(sekisho_principal):
    capped = sekisho_principal(policies=[EVERYTHING], boundary=READ_ONLY)
    capped.client("iam").list_users()
    with pytest.raises(ClientError, match="permissions boundary"):
        capped.client("iam").create_user(UserName="nope")

def test_principal_is_who_it_says(sekisho_principal):
    p = sekisho_principal(name="alice")
    arn = p.client("sts").get_caller_identity()["Arn"]
    assert arn == p.arn == "arn:aws:iam::123456789012:user/alice"
''')
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(passed=5)


def test_default_server_is_an_emulator_with_root_clients(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
def test_root(sekisho_server, iam_client, sts_client):
    assert sekisho_server.emulator and sekisho_server.enforcement == "enforce"
    assert sts_client.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
    iam_client.create_user(UserName="left-over")

def test_reset_fixture_wipes_state(sekisho_reset, iam_client):
    assert iam_client.list_users()["Users"] == []
''')
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(passed=2)


def test_marker_chooses_an_enforced_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest

@pytest.mark.sekisho(mode="enforce")
def test_enforced(sekisho_active_server, sts_client):
    assert not sekisho_active_server.emulator
    account = sts_client.get_caller_identity()["Account"]
    assert account == sekisho_active_server.account_id != "123456789012"

@pytest.mark.sekisho(mode="enforce")
def test_no_reset_without_emulator(sekisho_active_server):
    with pytest.raises(RuntimeError, match="emulator mode"):
        sekisho_active_server.reset()

def test_unmarked_tests_keep_the_emulator(sekisho_active_server, sekisho_server):
    assert sekisho_active_server is sekisho_server and sekisho_server.emulator
''')
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(passed=3)


def test_ini_option_chooses_the_mode(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsekisho_mode = enforce\n")
    pytester.makepyfile('''
def test_enforced(sekisho_server):
    assert not sekisho_server.emulator
''')
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(passed=1)


def test_audit_enforcement_by_flag_lets_denials_through(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import time

def test_audit(sekisho_server, sekisho_principal):
    nobody = sekisho_principal()
    nobody.client("iam").list_users()
    for _ in range(100):
        if "would deny" in sekisho_server.log():
            break
        time.sleep(0.02)
    assert nobody.arn in sekisho_server.log()
''')
    result = pytester.runpytest(*plugin_args(), "--sekisho-enforcement=audit")
    result.assert_outcomes(passed=1)


def test_unknown_mode_in_a_marker_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest

@pytest.mark.sekisho(mode="lenient")
def test_x(iam_client):
    pass
''')
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*sekisho marker mode must be one of emulator, enforce*"])


def test_unknown_mode_on_the_command_line_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest(*plugin_args(), "--sekisho-mode=lenient")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_loading_the_plugin_imports_no_heavy_module() -> None:
    code = ("import sys, sekisho.testing.pytest_plugin; "
            "print(sorted(m for m in ('boto3', 'botocore', 'sqlalchemy', 'sekisho.app') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_plugin_is_a_pytest11_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"sekisho": "sekisho.testing.pytest_plugin"}
