"""Type-checked by ``mypy --strict``: what a typed user of agentrules.pydantic and
agentrules.fastapi writes (scripts/test)."""

from typing import Annotated, Any, Dict, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response

import agentrules
import agentrules.fastapi
from agentrules.pydantic import CONTEXT_KEY, FollowUpRequest, LaunchRequest, ReportField


class Job(BaseModel):
    launch: LaunchRequest
    followup: Optional[FollowUpRequest] = None
    report: Optional[ReportField] = None


job = Job.model_validate({"launch": {"prompt": {"text": "go"}}}, context={CONTEXT_KEY: {"entitlements": []}})
launch: LaunchRequest = job.launch
as_dict: Dict[str, Any] = launch
kind: str = LaunchRequest.kind
text: Any = launch["prompt"]["text"]
report: Optional[agentrules.Report] = job.report
body: LaunchRequest = TypeAdapter(LaunchRequest).validate_json('{"prompt": {"text": "go"}}')
plain: Dict[str, Any] = TypeAdapter(Annotated[Dict[str, Any], LaunchRequest]).validate_python({"prompt": {"text": "go"}})
try:
    Job(launch={})  # type: ignore[arg-type]
except ValidationError as e:
    locs = [err["loc"] for err in e.errors()]

app = FastAPI()
agentrules.fastapi.install(app, violations=True)


@app.post("/api/v0/agents", status_code=201)
def create(body: LaunchRequest) -> Dict[str, Any]:
    return {"data": {"status": "waiting", "prompt": body.get("prompt")}}


async def handler(request: Request, exc: RequestValidationError) -> Response:
    return await agentrules.fastapi.request_validation_handler(request, exc)


app.add_exception_handler(RequestValidationError, handler)  # type: ignore[arg-type]
answer = agentrules.fastapi.envelope_for(agentrules.validate_launch({}))
status: Optional[int] = answer.status_code if answer is not None else None
