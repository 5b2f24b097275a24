"""The model facade: pinned models, operations, InvalidAction."""

from __future__ import annotations

import pytest

from sekisho import errors
from sekisho.protocol.service import load_service


def test_services_are_loaded_once() -> None:
    assert load_service("iam") is load_service("iam")


@pytest.mark.parametrize(
    ("name", "version", "namespace"),
    [
        ("iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"),
        ("sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
    ],
)
def test_service_metadata(name: str, version: str, namespace: str) -> None:
    service = load_service(name)
    assert (service.name, service.api_version, service.xml_namespace) == (name, version, namespace)


def test_operation_carries_shapes_and_result_wrapper() -> None:
    op = load_service("iam").operation("CreateUser")
    assert (op.service, op.name, op.result_wrapper) == ("iam", "CreateUser", "CreateUserResult")
    assert op.input_shape is not None and op.input_shape.name == "CreateUserRequest"
    assert op.output_shape is not None and op.output_shape.name == "CreateUserResponse"


def test_operation_without_output_has_no_wrapper() -> None:
    op = load_service("iam").operation("DeleteUser")
    assert op.output_shape is None and op.result_wrapper is None


def test_operations_are_cached() -> None:
    service = load_service("sts")
    assert service.operation("GetCallerIdentity") is service.operation("GetCallerIdentity")
    assert "GetCallerIdentity" in service.operation_names


@pytest.mark.parametrize("action", ["Foo", "createuser", ""])
def test_unknown_action_is_invalid_action(action: str) -> None:
    with pytest.raises(errors.InvalidAction) as caught:
        load_service("iam").operation(action)
    assert caught.value.message == f"Could not find operation {action} for version 2010-05-08"
