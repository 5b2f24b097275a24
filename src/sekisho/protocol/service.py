"""The service models Sekisho speaks, behind a thin facade over botocore.

The pinned copies of botocore's `iam` (2010-05-08) and `sts` (2011-06-15)
models live in `models/`, so a botocore upgrade can never change the API
silently. Everything else in `sekisho.protocol` reads shapes through these two
types:

    Service                       one per service, cached by `load_service`
     +-- operation(action)  ->  Operation (frozen)
                                 service, name, xml_namespace,
                                 input_shape, output_shape, result_wrapper

Shapes are botocore `Shape` objects; they are resolved once per operation and
kept, so per-shape caches elsewhere in the package stay warm.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from sekisho import errors

_MODELS = Path(__file__).parent / "models"
_PINNED = {"iam": "iam-2010-05-08.json", "sts": "sts-2011-06-15.json"}


@dataclass(frozen=True, eq=False)
class Operation:
    """One operation of a service, with its resolved input and output shapes.

    `result_wrapper` names the element that wraps the result inside
    `<{name}Response>` (`CreateUserResult`); it is None when the operation
    has no output shape. Equality is identity: operations are cached.
    """

    service: str
    name: str
    xml_namespace: str
    input_shape: Shape | None
    output_shape: Shape | None
    result_wrapper: str | None


def operation_from_model(model: OperationModel, service: str, xml_namespace: str) -> Operation:
    """Build an `Operation` from a botocore operation model.

    An output shape without an explicit `resultWrapper` is wrapped in
    `<{name}Result>` anyway: the awsQuery protocol always wraps the result
    under that name (Smithy awsQuery spec, "Response serialization").
    """
    output = model.output_shape
    wrapper: str | None = None
    if output is not None:
        wrapper = output.serialization.get("resultWrapper") or f"{model.name}Result"
    return Operation(
        service=service,
        name=model.name,
        xml_namespace=xml_namespace,
        input_shape=model.input_shape,
        output_shape=output,
        result_wrapper=wrapper,
    )


class Service:
    """A service model: its name, API version, XML namespace and operations."""

    def __init__(self, model: ServiceModel, name: str | None = None) -> None:
        self.model = model
        self.name: str = name or model.endpoint_prefix
        self.api_version: str = model.api_version
        self.xml_namespace: str = model.metadata.get("xmlNamespace", "")
        self.operation_names: frozenset[str] = frozenset(model.operation_names)
        self._operations: dict[str, Operation] = {}

    def operation(self, action: str) -> Operation:
        """Return the operation named `action` (case-sensitive, as AWS).

        Raises `errors.InvalidAction` when the model has no such operation.
        """
        op = self._operations.get(action)
        if op is not None:
            return op
        if action not in self.operation_names:
            raise errors.InvalidAction(
                f"Could not find operation {action} for version {self.api_version}"
            )
        op = operation_from_model(self.model.operation_model(action), self.name, self.xml_namespace)
        self._operations[action] = op
        return op

    def __repr__(self) -> str:
        return f"Service({self.name!r}, {self.api_version!r})"


def service_from_description(description: dict[str, Any], name: str) -> Service:
    """Build a `Service` from a service description (the JSON of a model)."""
    return Service(ServiceModel(description, service_name=name), name)


@functools.cache
def load_service(name: str) -> Service:
    """Load the pinned model of `name` ("iam" or "sts"); cached per process.

    Raises `KeyError` for any other name: the set of services is fixed.
    """
    path = _MODELS / _PINNED[name]
    with path.open(encoding="utf-8") as fh:
        description = json.load(fh)
    return service_from_description(description, name)
