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
