"""Type-checked by ``mypy --strict`` against the package's stubs: what a typed user writes."""

from typing import List, Optional, Union

import agentrules
from agentrules import AgentStatus, Code, Report, ValidationError, Violation

report: Report = agentrules.validate_launch({"prompt": {"text": "go"}})
ok: bool = report.ok
violations: List[Violation] = report.violations
codes: List[Code] = [v.code for v in violations]
typo: Code = "empty_txt"  # type: ignore[assignment]
status = agentrules.transition(AgentStatus.WAITING, "running")
stopped: agentrules.StopResult = agentrules.stop(status)
decision = agentrules.PolicyMatrix({"tools": {}}).decide("t", "member", calls_made=0, online=False)
tier: Optional[str] = decision.tier
wait: Optional[float] = agentrules.Poller().observe("running")
try:
    report.raise_for_violations()
except ValidationError as e:
    for err in e.errors():
        path: str = err["path"]
        kind: str = err["type"]
rows = agentrules.TableValidator({"type": "object"}).validate_elements([{"key": "a", "value": {}}])
verification: agentrules.WebhookVerification = agentrules.verify_webhook("github", {"X-Hub-Signature-256": "x"}, b"{}", "s", now=0)
why: Optional[agentrules.RejectReason] = verification.reason
install: agentrules.Install = {"id": "i", "connector": "slack", "status": "active"}
install = agentrules.apply_connector_event(install, {"type": "health", "ok": True, "at": 1})
summary: agentrules.FailureSummary = agentrules.connector_summary(install)
step: agentrules.NextStep = summary["nextStep"]
due: List[str] = agentrules.sweep_connectors([install], 0, sweep_after=60)
chunks = agentrules.SseDecoder().push(bytearray(b"data: x\n\n")) + agentrules.SseDecoder().push(memoryview(b""))
google: agentrules.WebhookVerification = agentrules.verify_google_webhook(
    {"Authorization": "Bearer x"}, {"keys": []}, audience="https://push.example.com/", email="a@b.iam.gserviceaccount.com", skew_seconds=60, now=0
)
channel = agentrules.verify_google_webhook([(b"x-goog-channel-token", b"t")], channel_token="t")
asgi = agentrules.verify_webhook("github", [(b"x-hub-signature-256", b"sha256=00")], memoryview(b"{}"), b"s", now=0)
image: Report = agentrules.check_image("image/png", bytearray(b"\x89PNG"))

# evaluate is typed per op (one overload each, from the core's op registry): TypedDict arguments
# and answers, or OpFailure when the rule refuses.
from agentrules._ops import ApprovalStep, Checked, RateWait  # noqa: E402

rate_wait: Union[RateWait, agentrules.OpFailure] = agentrules.evaluate("rate_limit", {"class": "heavy", "sent": [0], "now": 1})
checked: Union[Checked, agentrules.OpFailure] = agentrules.evaluate("transition", {"from": "running", "to": "finished"})
steps: Union[List[Union[ApprovalStep, agentrules.OpFailure]], agentrules.OpFailure] = agentrules.evaluate(
    "approval", {"tier": "admin", "allowedRoles": ["admin"], "events": [{"type": "expire"}]}
)
refusal_kind: agentrules.RefusalKind = agentrules.OpFailure(error={"kind": "invalid_state", "message": "m", "violations": []})["error"]["kind"]
agentrules.evaluate("transition", {"from": "running"})  # type: ignore[call-overload]
agentrules.evaluate("endpoints", {})  # type: ignore[call-overload]

# Reports for people: truthiness, length, iteration, errors(), JSON, a constructor for fakes.
version: str = agentrules.__version__
valid: bool = bool(report)
count: int = len(report)
first_codes: List[Code] = [v.code for v in report]
fake: Report = Report([{"path": "/prompt/text", "code": "empty_text"}])
fake_too: Report = Report(violations=report.violations)
back: Report = Report.from_dict(report.to_json())
locs = [e["loc"] for e in report.errors()]
html: str = report._repr_html_()

# Untrusted data of any static type is accepted by every check: a user's own TypedDict, a
# Mapping, an object (the checks judge it; a type cannot).
import json  # noqa: E402
from typing import Any, Dict, Mapping, Optional, TypedDict  # noqa: E402


class MyForm(TypedDict):
    prompt: Dict[str, str]


form: MyForm = {"prompt": {"text": "hi"}}
loose: Mapping[str, Any] = {"prompt": {"text": "hi"}}
unknown: object = json.loads("{}")
reports: List[Report] = [agentrules.validate_launch(form), agentrules.validate_launch(loose), agentrules.check("launch", unknown)]
table_ok: Report = agentrules.TableValidator({"type": "object"}).validate_elements(unknown)
# The documents a caller writes are typed from the core's schemas, the context too.
ctx: agentrules.Context = {"workflow": {"slots": [{"name": "Drawing Set", "multiple": True}]}, "limits": {"maxImages": 2}}
body: agentrules.LaunchBody = {"prompt": {"text": "Summarise", "images": [{"media_type": "image/png", "data": "iVBORw0KGgo="}]}}
follow: agentrules.FollowUpBody = {"prompt": {"text": "And the legend?"}}
agentrules.validate_launch(body, ctx)
agentrules.validate_follow_up(follow, '{"limits": {"maxImages": 1}}')
bad_ctx: agentrules.Context = {"limits": {"maxImage": 2}}  # type: ignore[typeddict-unknown-key]
bad_body: agentrules.LaunchBody = {"prompt": {"images": [{"media_type": "image/bmp", "data": ""}]}}  # type: ignore[typeddict-item]
check_kind: agentrules.Kind = "list-query"
agentrules.check("lunch", {})  # type: ignore[arg-type]
as_dict: agentrules.ReportDict = report.to_dict()
ok_flag: bool = as_dict["ok"]
envelope = agentrules.error_envelope(report)
env_code: Optional[str] = envelope[1]["code"] if envelope else None
decision_kind: agentrules.DecisionKind = agentrules.PolicyMatrix({"tools": {}}).decide("x", "member").kind
stop_kind: agentrules.StopKind = agentrules.stop("running").kind
after: agentrules.AgentStatus = agentrules.follow_up("finished")
wait_s: Optional[float] = agentrules.retry_after(120)
items = agentrules.SseDecoder().push(b"data: x\n\n")
first_event: Union[agentrules.SseEvent, agentrules.SseRetry] = items[0]
my_rows: List[Dict[str, Any]] = agentrules.table_elements([{"id": "a"}], key="id")
by_key: Dict[str, List[Violation]] = agentrules.violations_by_key(my_rows, table_ok)
