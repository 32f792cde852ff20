"""pydantic v2 types of the Agent API's request bodies, validated by the core.

``LaunchRequest`` and ``FollowUpRequest`` (and the other bodies the core checks:
``ThreadCreateRequest``, ``ThreadRenameRequest``, ``MarketplaceInstallRequest``,
``GitImportRequest``, and ``ErrorEnvelope``) are pydantic field types and FastAPI body types::

    >>> from pydantic import BaseModel
    >>> from agentrules.pydantic import LaunchRequest
    >>> class Job(BaseModel):
    ...     launch: LaunchRequest
    >>> Job(launch={"prompt": {"text": "Summarize the drawings."}}).launch["prompt"]["text"]
    'Summarize the drawings.'

Validation runs the core once, on the value as given: a JSON value (a ``str`` is a string
value, as pydantic's JSON mode and FastAPI's parsed body give them, never JSON text), or raw
bytes (``bytes``, ``bytearray``, ``memoryview``), which are JSON text as everywhere in
``agentrules`` (FastAPI gives a body whose content type is not JSON as bytes). Every violation
becomes one pydantic error: ``type`` is the violation's code, ``loc`` its JSON Pointer path
(array indexes as ``int``, object keys as ``str`` even when they are digits), ``msg`` its
message, ``ctx`` its params and ``input`` the value at the path (or the nearest one above it
that exists). A message that itself contains ``{name}`` for one of its params (user text
quoted in it) cannot be given to pydantic as it is (pydantic fills such names in): that error
has the exact message and no ``ctx``.

The value after validation is an instance of the type: a ``dict`` (subclass) of the body as it
was validated (a shallow copy of a given ``dict``; parsed from raw bytes). It serialises as that
``dict``; ``Annotated[dict[str, Any], LaunchRequest]`` validates the same way where an
annotation must say ``dict``. Constructing one directly does not validate, and pydantic
validates an instance again: validate through pydantic (``TypeAdapter(LaunchRequest)``, a model
field, a FastAPI body).

A validation context: ``validate_python(body, context={CONTEXT_KEY: CONTEXT})`` checks against
``CONTEXT`` (the core's context document: limits, entitlements, the workflow), as
``agentrules.validate_launch(body, CONTEXT)`` does. A ``CONTEXT`` the core refuses is one error
at the field, its ``type`` the refusal's kind (``invalid_context``) and its ``msg`` the refusal's
words.

JSON Schema: ``LaunchRequest``, ``FollowUpRequest``, ``ErrorEnvelope`` and ``ReportField`` give
the core's schemas (shipped in the package, ``agentrules/schemas/``), their ``$defs`` registered
as definitions of pydantic's JSON Schema, so every ``$ref`` resolves where pydantic puts
definitions (``#/$defs/...`` in ``model_json_schema()``, ``#/components/schemas/...`` in
FastAPI's OpenAPI). The other types are described as JSON objects.

``ReportField`` is ``agentrules.Report`` as a pydantic field: a ``Report``, or its ``to_dict()``
form, validated into a ``Report``; it serialises as ``to_dict()``.

pydantic is optional: ``import agentrules`` never imports it; this module does.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Annotated, Any, ClassVar, Dict, List, Tuple, TypeAlias, Union

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, ValidationError, core_schema

import agentrules

from ._kinds import Kind

__all__ = [
    "CONTEXT_KEY",
    "Document",
    "ErrorEnvelope",
    "FollowUpRequest",
    "GitImportRequest",
    "LaunchRequest",
    "MarketplaceInstallRequest",
    "ReportField",
    "ThreadCreateRequest",
    "ThreadRenameRequest",
    "errors_of_report",
    "json_schema_of",
]

#: The key of pydantic's validation context that holds the core's context document.
CONTEXT_KEY = "agentrules"

_Loc = Tuple[Union[str, int], ...]


def _tokens(path: str) -> List[str]:
    if path == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _as_value(document: Any) -> Any:
    """The Python value of a document: JSON text (raw bytes, or a ``str`` made from a string
    value) parsed, a value as it is."""
    if isinstance(document, (bytes, bytearray, memoryview)):
        return json.loads(bytes(document))
    if isinstance(document, str):
        return json.loads(document)
    return document


def _locate(value: Any, path: str) -> Tuple[_Loc, Any]:
    """The pydantic location of a JSON Pointer in ``value`` (a token is an ``int`` where it
    indexes an array, or, past the end of what exists, where it is all digits) and the value at
    the deepest part of the path that exists."""
    loc: List[Union[str, int]] = []
    here, found = value, True
    for token in _tokens(path):
        digits = token.isascii() and token.isdigit()  # `²` is a digit to `str.isdigit`, not to `int`
        if found and isinstance(here, list) and digits:
            index = int(token)
            loc.append(index)
            if index < len(here):
                here = here[index]
            else:
                found = False
        elif found and isinstance(here, dict):
            loc.append(token)
            if token in here:
                here = here[token]
            else:
                found = False
        else:
            found = False
            loc.append(int(token) if digits else token)
    return tuple(loc), here


def _error(v: "agentrules.Violation", value: Any) -> InitErrorDetails:
    loc, at = _locate(value, v.path)
    params: Dict[str, Any] = dict(v.params)
    error = PydanticCustomError(v.code, v.message, params)
    if error.message() != v.message:
        # pydantic fills `{name}` in a message with the param `name`: the message as it is.
        error = PydanticCustomError(v.code, v.message)
    return InitErrorDetails(type=error, loc=loc, input=at)


def errors_of_report(report: "agentrules.Report", value: Any = None, title: str = "Report") -> ValidationError:
    """A pydantic ``ValidationError`` with one error per violation of ``report`` (``type``,
    ``loc``, ``msg``, ``ctx``, ``input`` as the request types give them), ``value`` the
    document that was checked (for ``loc``'s array indexes and ``input``)."""
    try:
        value = _as_value(value)
    except ValueError:
        pass  # JSON text the core rejected: locations as the pointers say, the text as the input.
    return ValidationError.from_exception_data(title, [_error(v, value) for v in report])


def _schema_text(name: str) -> str:
    # One name per joinpath: a Traversable takes several only from Python 3.11.
    return resources.files("agentrules").joinpath("schemas").joinpath(name).read_text(encoding="utf-8")


def _core_ref(kind: str, name: str) -> str:
    return f"agentrules.schemas.{kind}.{name}"


def _relink(schema: Any, refs: Dict[str, str]) -> Any:
    """``schema`` with every ``#/$defs/NAME`` reference replaced by ``refs[NAME]``."""
    if isinstance(schema, list):
        return [_relink(s, refs) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _relink(s, refs) for k, s in schema.items()}
    target = schema.get("$ref")
    if isinstance(target, str) and target.startswith("#/$defs/"):
        out["$ref"] = refs[target[len("#/$defs/"):]]
    return out


def json_schema_of(name: str, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    """The core's JSON Schema ``name`` (``launch``, ``followup``, ``report``, ``error-envelope``:
    ``agentrules/schemas/NAME.schema.json``) for pydantic's JSON Schema generator ``handler``:
    the root, its ``$defs`` registered as the generator's definitions and every reference to
    them rewritten to where the generator puts them."""
    kind = name
    shipped: Dict[str, Any] = json.loads(_schema_text(f"{name}.schema.json"))
    defs: Dict[str, Any] = shipped.pop("$defs", {})
    shipped.pop("$schema", None)
    refs = {
        name: handler(core_schema.definition_reference_schema(_core_ref(kind, name)))["$ref"] for name in defs
    }

    def definition(name: str, body: Any) -> CoreSchema:
        relinked = _relink(body, refs)

        def js(_: Any, __: GetJsonSchemaHandler) -> JsonSchemaValue:
            fresh: JsonSchemaValue = copy.deepcopy(relinked)
            return fresh

        return core_schema.any_schema(ref=_core_ref(kind, name), metadata={"pydantic_js_functions": [js]})

    if defs:
        handler(core_schema.definitions_schema(core_schema.any_schema(), [definition(n, b) for n, b in defs.items()]))
    return _relink(shipped, refs)  # type: ignore[no-any-return]


class Document(Dict[str, Any]):
    """A JSON object the core checks as its ``kind`` (``agentrules.kinds()``), as a pydantic type.
    The value is the object as validated, a ``dict``."""

    kind: ClassVar[Kind]
    #: Whether the package ships the core's JSON Schema of this kind (``agentrules/schemas/``).
    shipped_schema: ClassVar[bool] = False

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.with_info_plain_validator_function(
            cls._validate,
            ref=f"agentrules.pydantic.{cls.__name__}",
            serialization=core_schema.plain_serializer_function_ser_schema(dict),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        if cls.shipped_schema:
            return json_schema_of(cls.kind, handler)
        return {"title": cls.__name__, "description": (cls.__doc__ or "").strip(), "type": "object"}

    @classmethod
    def _validate(cls, value: Any, info: core_schema.ValidationInfo) -> "Document":
        document = value
        if isinstance(value, str):
            # A string is a string value, never JSON text (pydantic's JSON mode and FastAPI's
            # parsed body give the strings of the JSON as str); raw bytes are JSON text.
            document = json.dumps(value)
        context = info.context.get(CONTEXT_KEY) if isinstance(info.context, dict) else None
        try:
            report = agentrules.check(cls.kind, document, context)
        except agentrules.ValidationError as e:
            # The call is refused (a context that is not one): one error, the refusal's kind and words.
            raise PydanticCustomError(e.code, str(e)) from None
        if not report:
            raise errors_of_report(report, document, cls.__name__)
        return cls(_as_value(document))


class LaunchRequest(Document):
    """The body of ``POST /api/v0/agents`` (the core's kind ``launch``)."""

    kind = "launch"
    shipped_schema = True


class FollowUpRequest(Document):
    """The body of ``POST /api/v0/agents/{id}/followup`` (the core's kind ``followup``)."""

    kind = "followup"
    shipped_schema = True


class ThreadCreateRequest(Document):
    """A thread create body (the core's kind ``thread-create``)."""

    kind = "thread-create"


class ThreadRenameRequest(Document):
    """A thread rename body (the core's kind ``thread-rename``)."""

    kind = "thread-rename"


class MarketplaceInstallRequest(Document):
    """A marketplace package install request (the core's kind ``marketplace-install``)."""

    kind = "marketplace-install"


class GitImportRequest(Document):
    """A Git repository import body (the core's kind ``git-import``)."""

    kind = "git-import"


class ErrorEnvelope(Document):
    """An error envelope ``{error, code}`` (the core's kind ``error-envelope``): what the Agent
    API answers with an error status."""

    kind = "error-envelope"
    shipped_schema = True


class _ReportSchema:
    """The pydantic schema of ``agentrules.Report``: a ``Report`` or its ``to_dict()`` form."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _report,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda r: r.to_dict()),
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return json_schema_of("report", handler)


def _report(value: Any) -> "agentrules.Report":
    if isinstance(value, agentrules.Report):
        return value
    try:
        return agentrules.Report.from_dict(value)
    except agentrules.ValidationError as e:
        if e.violations:
            raise errors_of_report(agentrules.Report(e.violations), value, "Report") from None
        # A refusal without violations (a report that does not read): its kind and its words.
        raise PydanticCustomError(e.code, str(e)) from None


#: ``agentrules.Report`` as a pydantic field type.
ReportField: TypeAlias = Annotated[agentrules.Report, _ReportSchema()]
