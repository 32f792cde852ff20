"""FastAPI glue: a rejected request body answers the Agent API's 400 envelope ``{error, code}``.

One line per app::

    app = FastAPI()
    agentrules.fastapi.install(app)

    @app.post("/api/v0/agents", status_code=201)
    def launch(body: LaunchRequest) -> dict[str, Any]: ...

``install`` registers ``request_validation_handler`` for FastAPI's ``RequestValidationError``.
For a route whose body is one of ``agentrules.pydantic``'s request types (``body: LaunchRequest``,
or ``body: Annotated[dict[str, Any], LaunchRequest]``) a rejected body answers what the core's
``error_envelope`` gives for its report: status 400, ``{"error": ..., "code": ...}`` exactly as
the Agent API's error responses are written, never FastAPI's 422. The report is the one the
body's validation made (rebuilt from the pydantic errors, the core is not run again); when the
body never reached it (JSON FastAPI could not parse, an empty body) the core checks the raw body,
so that answer is the core's too (``invalid_json``). ``install(app, violations=True)`` adds the
report's violations to the envelope as ``violations`` (``Violation.to_dict()`` each), an
extension: the Agent API's clients read ``error`` and ``code`` and ignore other fields.

Every other validation error (a query parameter, a body model of several fields) gets FastAPI's
default 422 answer. ``install`` also documents the 400 envelope (schema ``ErrorEnvelope``, the
core's) in the OpenAPI of the routes that take a request type, in place of their 422.

The Python ``json`` module parses the body before pydantic sees it (FastAPI's way): a JSON
object with a repeated key reaches the core with its last value only, so the core's
``duplicate_field`` is not found in a FastAPI body; ``NaN`` and ``Infinity`` are the core's
``invalid_json``, as in JSON text.
"""

from __future__ import annotations

import typing
from typing import Any, Dict, Iterable, List, Optional, Sequence, Type, Union

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.responses import Response

import agentrules

from .pydantic import Document, ErrorEnvelope

__all__ = ["body_type", "envelope_for", "install", "request_validation_handler"]


def _ours(annotation: Any) -> Optional[Type[Document]]:
    """The request type in an annotation: the type itself, or in ``Annotated``'s metadata."""
    if isinstance(annotation, type) and issubclass(annotation, Document):
        return annotation
    for arg in (*getattr(annotation, "__metadata__", ()), *typing.get_args(annotation)):
        found = _ours(arg)
        if found is not None:
            return found
    return None


def body_type(request: Request) -> Optional[Type[Document]]:
    """The request type of the body of the route that ``request`` matched, if it has one."""
    return _route_body_type(request.scope.get("route"))


def _pointer(loc: Sequence[Union[str, int]]) -> str:
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in loc)


#: Every violation code (the core's list): what tells the body's violations from pydantic's errors.
_CODES = frozenset(c["code"] for c in agentrules.codes())


def _report_of(errors: Iterable[Any]) -> Optional[agentrules.Report]:
    """The report the body's validation made, from its pydantic errors (``loc`` after
    ``"body"``); ``None`` unless every error is one of the core's violations, whole (an error
    whose message names a param in braces has no ``ctx``: agentrules.pydantic)."""
    violations: List[Dict[str, Any]] = []
    for e in errors:
        if e.get("type") not in _CODES or "ctx" not in e:
            return None
        violations.append({"path": _pointer(e["loc"][1:]), "code": e["type"], "message": e["msg"], "params": e["ctx"]})
    if not violations:
        return None
    try:
        return agentrules.Report(violations)
    except agentrules.ValidationError:
        return None


def envelope_for(report: agentrules.Report, *, violations: bool = False) -> Optional[JSONResponse]:
    """The core's error response for ``report`` (``error_envelope``) as a ``JSONResponse``:
    ``None`` when the report is ok. ``violations=True`` adds the report's violations."""
    answer = agentrules.error_envelope(report)
    if answer is None:
        return None
    status, envelope = answer
    content: Dict[str, Any] = dict(envelope)
    if violations:
        content["violations"] = [v.to_dict() for v in report]
    return JSONResponse(content, status_code=status)


async def request_validation_handler(request: Request, exc: RequestValidationError, *, violations: bool = False) -> Response:
    """FastAPI's ``RequestValidationError`` handler: the core's 400 envelope for a route whose
    body is an ``agentrules.pydantic`` request type, FastAPI's own answer otherwise."""
    kind = body_type(request)
    body_errors = [e for e in exc.errors() if tuple(e.get("loc", ()))[:1] == ("body",)]
    if kind is not None and body_errors:
        report = _report_of(body_errors)
        if report is None:
            report = agentrules.check(kind.kind, await request.body())
        response = envelope_for(report, violations=violations)
        if response is not None:
            return response
    return await request_validation_exception_handler(request, exc)


def _route_body_type(route: Any) -> Optional[Type[Document]]:
    info = getattr(getattr(route, "body_field", None), "field_info", None)
    if info is None:
        return None
    for found in (info.annotation, *info.metadata):
        ours = _ours(found)
        if ours is not None:
            return ours
    return None


def _document_400(app: FastAPI, openapi: Dict[str, Any]) -> None:
    """The routes that take a request type answer the core's envelope, not FastAPI's 422: their
    OpenAPI says so (400, ``ErrorEnvelope``, the core's schema)."""
    ours = [r for r in app.routes if isinstance(r, APIRoute) and _route_body_type(r) is not None]
    if not ours:
        return
    envelope = TypeAdapter(ErrorEnvelope).json_schema(ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    defs = envelope.pop("$defs", {})
    for name, schema in (*defs.items(), (ErrorEnvelope.__name__, envelope)):
        if schemas.setdefault(name, schema) != schema:
            raise ValueError(f"agentrules.fastapi: the OpenAPI of this app has another schema named {name!r}")
    answer = {
        "description": "The request was rejected: the Agent API's error envelope",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ErrorEnvelope.__name__}"}}},
    }
    for route in ours:
        for method in route.methods or ():
            operation = openapi.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses.setdefault("400", answer)


def install(app: FastAPI, *, violations: bool = False) -> None:
    """Answers the core's 400 envelope for the rejected bodies of ``app``'s routes that take an
    ``agentrules.pydantic`` request type, and documents it in ``app``'s OpenAPI (the 400 answer
    in place of FastAPI's 422, its schema ``ErrorEnvelope`` among the components)."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return await request_validation_handler(request, exc, violations=violations)

    app.add_exception_handler(RequestValidationError, handler)
    generate = app.openapi

    def openapi() -> Dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _document_400(app, schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
