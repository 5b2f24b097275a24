"""Serialize results and errors to the AWS Query protocol's XML.

    <CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
      <CreateUserResult> ...members of the output shape... </CreateUserResult>
      <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
    </CreateUserResponse>

    <ErrorResponse xmlns="...">
      <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>...</Message></Error>
      <RequestId>...</RequestId>
    </ErrorResponse>

Everything is driven by the output shape; no operation has a template. The
output of each operation is compiled once into a tree of small writer
closures that append strings to a list, which is joined and encoded once: no
DOM is built on the request path.

Value types expected in `result`: `str`, `int`, `bool`, `float`, aware
`datetime` (naive is taken as UTC), `bytes`; lists; dicts for structures and
maps. Members that are absent or None are omitted. Timestamps are written in
UTC as `2026-11-27T21:00:00Z` (milliseconds added only when present), unless
the shape asks for `unixTimestamp` or `rfc822`. The quirks of `quirks.py`
(URL-encoded policy documents, members that list operations leave out) are
applied here.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from botocore.model import Shape

from sekisho.errors import AwsError
from sekisho.protocol import quirks
from sekisho.protocol.service import Operation
from sekisho.protocol.shapes import shape_key

__all__ = ["serialize_error", "serialize_result"]

_Writer = Callable[[Any, list[str]], None]
_Text = Callable[[Any], str]

# XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/U+FFFF even
# as character references; they become U+FFFD. A carriage return is kept as a
# reference because parsers would otherwise normalise it to a line feed.
_SPECIAL = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_REPLACEMENTS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"}


def _replace(match: re.Match[str]) -> str:
    return _REPLACEMENTS.get(match.group(), "\ufffd")


def escape(text: str) -> str:
    """Escape `text` for XML character data or a double-quoted attribute."""
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(_replace, text)


def _xmlns(namespace: str) -> str:
    return f' xmlns="{escape(namespace)}"' if namespace else ""


def serialize_result(op: Operation, result: Mapping[str, Any] | None, request_id: str) -> bytes:
    """The `<{Op}Response>` document for `result`, UTF-8 encoded.

    `result` is keyed by the output shape's member names; None or `{}` gives
    an empty result element. Operations without an output shape carry only
    `ResponseMetadata`. Raises `TypeError`/`ValueError` when a value does not
    fit its shape (a programming error, turned into InternalFailure upstream).
    """
    parts = [f"<{op.name}Response{_xmlns(op.xml_namespace)}>"]
    if op.output_shape is not None:
        wrapper = op.result_wrapper or f"{op.name}Result"
        parts.append(f"<{wrapper}>")
        if result:
            _result_writer(op)(result, parts)
        parts.append(f"</{wrapper}>")
    parts.append(
        f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
        f"</{op.name}Response>"
    )
    return "".join(parts).encode("utf-8")


def serialize_error(err: AwsError, request_id: str, xml_namespace: str) -> bytes:
    """The `<ErrorResponse>` document for `err`, UTF-8 encoded.

    `Type` is `Sender` for client faults and `Receiver` otherwise; the HTTP
    status is the caller's to send (`err.status`).
    """
    fault = "Sender" if err.sender_fault else "Receiver"
    return (
        f"<ErrorResponse{_xmlns(xml_namespace)}><Error><Type>{fault}</Type>"
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message></Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode()


# --- compiling an output shape into writers

_WRITERS: dict[Operation, _Writer] = {}


def _result_writer(op: Operation) -> _Writer:
    writer = _WRITERS.get(op)
    if writer is None:
        assert op.output_shape is not None
        compiler = _Compiler(op.service, quirks.omissions_for(op.service, op.name))
        writer = compiler.members(op.output_shape)
        _WRITERS[op] = writer
    return writer


def _format_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso8601(value: datetime) -> str:
    moment = _utc(value)
    # Not strftime: glibc's %Y writes year 1 as "1", which clients read as 2001.
    text = (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")
    if moment.microsecond:
        millis, micros = divmod(moment.microsecond, 1000)
        text += f".{millis:03d}" if not micros else f".{moment.microsecond:06d}"
    return text + "Z"


def _epoch(value: datetime) -> str:
    seconds = _utc(value).timestamp()
    return str(int(seconds)) if seconds == int(seconds) else repr(seconds)


def _rfc822(value: datetime) -> str:
    return format_datetime(_utc(value), usegmt=True)


_TIMESTAMPS: dict[str, Callable[[datetime], str]] = {
    "iso8601": _iso8601,
    "unixtimestamp": _epoch,
    "rfc822": _rfc822,
}


def _text_blob(value: Any) -> str:
    return base64.b64encode(value).decode("ascii")


def _text_boolean(value: Any) -> str:
    return "true" if value else "false"


def _text_integer(value: Any) -> str:
    return str(int(value))


class _Compiler:
    """Builds the writers of one operation's output (its quirks differ per operation)."""

    def __init__(self, service: str, omissions: Mapping[str, frozenset[str]]) -> None:
        self.service = service
        self.omissions = omissions
        self.url_encoded = quirks.URL_ENCODED_SHAPES.get(service, frozenset())
        self.structures: dict[tuple[int, str], tuple[Shape, _Writer]] = {}

    def members(self, shape: Shape) -> _Writer:
        """A writer of a structure's member elements (without an element of its own)."""
        hit = self.structures.get(shape_key(shape))
        if hit is not None:
            return hit[1]
        plan: list[tuple[str, _Writer]] = []

        def write(value: Any, out: list[str]) -> None:
            get = value.get
            for name, member_writer in plan:
                member_value = get(name)
                if member_value is not None:
                    member_writer(member_value, out)

        self.structures[shape_key(shape)] = (shape, write)
        left_out = self.omissions.get(shape.name, frozenset())
        for name, member in shape.members.items():
            if name not in left_out:
                plan.append((name, self.element(member, _element_name(member, name))))
        return write

    def element(self, shape: Shape, tag: str) -> _Writer:
        """A writer of `<tag>value</tag>` (or repeated elements when flattened)."""
        kind = shape.type_name
        open_tag = f"<{tag}{_namespace_attribute(shape)}>"
        close_tag = f"</{tag}>"
        if kind == "structure":
            inner = self.members(shape)

            def write_structure(value: Any, out: list[str]) -> None:
                out.append(open_tag)
                inner(value, out)
                out.append(close_tag)

            return write_structure
        if kind == "list":
            return self._list(shape, tag, open_tag, close_tag)
        if kind == "map":
            return self._map(shape, open_tag, close_tag)
        text = self.text(shape)

        def write_scalar(value: Any, out: list[str]) -> None:
            out.append(open_tag)
            out.append(text(value))
            out.append(close_tag)

        return write_scalar

    def text(self, shape: Shape) -> _Text:
        """How a scalar shape's value becomes escaped character data."""
        kind = shape.type_name
        if kind == "string":
            if shape.name in self.url_encoded:
                return quirks.encode_url
            return escape
        if kind == "timestamp":
            fmt = _TIMESTAMPS[shape.serialization.get("timestampFormat", "iso8601").lower()]
            return fmt
        if kind in ("integer", "long"):
            return _text_integer
        if kind in ("float", "double"):
            return _format_float
        if kind == "boolean":
            return _text_boolean
        if kind == "blob":
            return _text_blob
        raise ValueError(f"cannot serialize shape type {kind}")

    def _list(self, shape: Shape, tag: str, open_tag: str, close_tag: str) -> _Writer:
        member = shape.member
        if shape.serialization.get("flattened"):
            # The repeated elements take the list's own name (see _element_name).
            item = self.element(member, tag)

            def write_flat(value: Any, out: list[str]) -> None:
                for element in value:
                    item(element, out)

            return write_flat
        item = self.element(member, member.serialization.get("name", "member"))

        def write_list(value: Any, out: list[str]) -> None:
            out.append(open_tag)
            for element in value:
                item(element, out)
            out.append(close_tag)

        return write_list

    def _map(self, shape: Shape, open_tag: str, close_tag: str) -> _Writer:
        key = self.element(shape.key, shape.key.serialization.get("name", "key"))
        val = self.element(shape.value, shape.value.serialization.get("name", "value"))
        if shape.serialization.get("flattened"):
            entry_open, entry_close = open_tag, close_tag
        else:
            entry_open, entry_close = "<entry>", "</entry>"

        def write_entries(value: Any, out: list[str]) -> None:
            for k, v in value.items():
                out.append(entry_open)
                key(k, out)
                if v is not None:
                    val(v, out)
                out.append(entry_close)

        if shape.serialization.get("flattened"):
            return write_entries

        def write_map(value: Any, out: list[str]) -> None:
            out.append(open_tag)
            write_entries(value, out)
            out.append(close_tag)

        return write_map


def _element_name(shape: Shape, member_name: str) -> str:
    """The element name of a structure member: its locationName, else its name.

    A flattened list repeats under this name too; the list member's own
    locationName is ignored there, as AWS's vector `QueryXmlLists` shows
    (botocore's parser looks for the member's locationName instead, so it
    cannot read that vector's flattened lists either).
    """
    return str(shape.serialization.get("name", member_name))


def _namespace_attribute(shape: Shape) -> str:
    namespace = shape.serialization.get("xmlNamespace")
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape(namespace)}"'
    prefix = namespace.get("prefix")
    attribute = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {attribute}="{escape(namespace.get("uri", ""))}"'
