//! The server over loopback: every endpoint, the lifecycle, auth, ownership, rate classes.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers (outside `#[test]`, which clippy.toml covers): a failed request fails the test"
)]

use std::time::Duration;

use agentrules_server::{Config, Options, Server};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const SLOT_WF: &str = agentrules_server::config::DEFAULT_SLOT_WORKFLOW;
const PROMPT_WF: &str = agentrules_server::config::DEFAULT_PROMPT_WORKFLOW;

fn config() -> Config {
    let text = json!({
        "keys": [
            { "key": "npk_alice", "owner": "alice" },
            { "key": "npk_alice2", "owner": "alice" },
            { "key": "npk_bob", "owner": "bob" },
            { "key": "npk_noscope", "owner": "carol", "scopes": ["developer:read"] }
        ],
        "workflows": [
            { "id": PROMPT_WF, "name": "Prompt", "slots": [] },
            { "id": SLOT_WF, "name": "Slots", "slots": [ { "name": "Documents", "multiple": true } ], "fileIds": ["019aaa09-0000-7000-8000-000000000009"] }
        ],
        "entitlements": ["webSearch"]
    });
    Config::from_json(&text.to_string(), 0).unwrap()
}

struct T {
    base: String,
    http: Client,
    _server: Server,
}

async fn start_with(config: Option<Config>, seed: u64) -> T {
    let server = Server::start(Options { config, seed, ..Options::default() }).await.unwrap();
    T { base: format!("http://{}/api/v0", server.addr), http: Client::new(), _server: server }
}

async fn start() -> T {
    start_with(Some(config()), 0).await
}

impl T {
    async fn call(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !key.is_empty() {
            req = req.header("Authorization", format!("Bearer {key}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        (status, v, headers)
    }
    async fn get(&self, key: &str, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.call(key, reqwest::Method::GET, path, None).await;
        (s, v)
    }
    async fn post(&self, key: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.call(key, reqwest::Method::POST, path, Some(body)).await;
        (s, v)
    }
    async fn launch(&self, key: &str, body: Value) -> String {
        let (s, v) = self.post(key, "/agents", body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["data"]["id"].as_str().unwrap().to_string()
    }
    async fn until(&self, key: &str, id: &str, want: impl Fn(&str) -> bool) -> Value {
        for _ in 0..3000 {
            let (s, v) = self.get(key, &format!("/agents/{id}")).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            if want(v["data"]["status"].as_str().unwrap()) {
                return v["data"].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("agent {id} did not reach the status in 30 s");
    }
    async fn terminal(&self, key: &str, id: &str) -> Value {
        self.until(key, id, |s| matches!(s, "finished" | "stopped" | "failed")).await
    }
}

fn codes(v: &Value) -> Vec<(String, String)> {
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["path"].as_str().unwrap().to_string(), x["code"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn a_simple_agent_runs_to_finished_with_a_conversation_a_sub_agent_and_two_artifacts() {
    let t = start().await;
    let (s, v) = t
        .post(
            "npk_alice",
            "/agents",
            json!({"prompt": {"text": "Review this"}, "fileIds": ["019AAA00-0000-7000-8000-000000000001"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let d = &v["data"];
    assert_eq!(
        (d["status"].as_str(), d["workflowId"].clone(), d["parentSessionId"].clone()),
        (Some("waiting"), Value::Null, Value::Null)
    );
    assert_eq!(d["activeFileIds"], json!(["019aaa00-0000-7000-8000-000000000001"]));
    assert_eq!(d["artifacts"], json!([]));
    let id = d["id"].as_str().unwrap().to_string();
    assert!(agentrules::is_uuid(&id));
    let done = t.terminal("npk_alice", &id).await;
    assert_eq!(done["status"], "finished");
    let arts = done["artifacts"].as_array().unwrap();
    assert_eq!(arts.iter().map(|a| a["type"].as_str().unwrap()).collect::<Vec<_>>(), ["MARKDOWN_DOCUMENT", "TABLE"]);
    // The agent body is the core's response shape.
    agentrules::response::parse_response(agentrules::response::ResponseKind::Agent, &json!({"data": done}).to_string())
        .unwrap();

    for a in arts {
        let (s, v) = t.get("npk_alice", &format!("/agents/{id}/artifacts/{}", a["id"].as_str().unwrap())).await;
        assert_eq!(s, StatusCode::OK);
        // The core's artifact rules accept what the server serves; a table's rows fit its schema.
        let report = agentrules::check("artifact", &v["data"].to_string(), None).unwrap();
        assert!(report.ok, "{:?}", report.violations);
        assert_eq!(v["data"]["creatingSessionId"], json!(id));
        if a["type"] == "TABLE" {
            assert_eq!(v["data"]["content"]["elements"].as_array().unwrap().len(), 3);
        } else {
            assert!(v["data"]["content"].as_str().unwrap().starts_with("# Review Results"));
        }
    }

    let (_, plain) = t.get("npk_alice", &format!("/agents/{id}/conversation")).await;
    let kinds: Vec<&str> =
        plain["data"]["messages"].as_array().unwrap().iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["user", "assistant"]);
    let (_, steps) = t.get("npk_alice", &format!("/agents/{id}/conversation?include=steps")).await;
    let msgs = steps["data"]["messages"].as_array().unwrap();
    let kinds: Vec<&str> = msgs.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["user", "thinking", "tool", "tool", "assistant"]);
    let dispatch = msgs.iter().find(|m| m["toolName"] == "dispatch_page_agents").unwrap();
    let sub = dispatch["subAgentId"].as_str().unwrap();
    let (s, sub_agent) = t.get("npk_alice2", &format!("/agents/{sub}")).await;
    assert_eq!(s, StatusCode::OK, "the same owner's other key reads the sub-agent");
    assert_eq!(sub_agent["data"]["parentSessionId"], json!(id));
    let (s, sub_conv) = t.get("npk_alice", &format!("/agents/{sub}/conversation?include=steps")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!sub_conv["data"]["messages"].as_array().unwrap().is_empty());
    let (s, v) = t.get("npk_alice", &format!("/agents/{id}/conversation?include=steps,tools")).await;
    assert_eq!((s, codes(&v)), (StatusCode::BAD_REQUEST, vec![("/include".into(), "unknown_include".into())]));
    // Sub-agents are not listed.
    let (_, page) = t.get("npk_alice", "/agents").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn launch_bodies_are_checked_by_the_core_under_the_workflow_definition() {
    let t = start().await;
    let (s, v) = t.post("npk_alice", "/agents", json!({"prompt": {"text": " "}, "fileIds": ["nope"]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "bad_request");
    assert_eq!(
        codes(&v),
        [("/prompt/text".to_string(), "empty_text".to_string()), ("/fileIds/0".into(), "invalid_uuid".into())]
    );
    let report = agentrules::check("launch", r#"{"prompt": {"text": " "}, "fileIds": ["nope"]}"#, None).unwrap();
    assert_eq!(v["error"], agentrules::errors::ErrorEnvelope::from_report(&report).unwrap().error);
    let (s, v) = t.post("npk_alice", "/agents", json!({"workflowId": SLOT_WF, "prompt": {"text": "x"}})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(codes(&v).iter().any(|(_, c)| c == "prompt_not_accepted"), "{v}");
    let (s, v) =
        t.post("npk_alice", "/agents", json!({"prompt": {"text": "x"}, "capabilities": {"codeSearch": true}})).await;
    assert_eq!(
        (s, codes(&v)),
        (StatusCode::BAD_REQUEST, vec![("/capabilities/codeSearch".into(), "capability_not_entitled".into())])
    );
    let (s, v) = t
        .post(
            "npk_alice",
            "/agents",
            json!({"workflowId": "019def34-0000-7000-8000-00000000dead", "prompt": {"text": "x"}}),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, v, _) = t.call("npk_alice", reqwest::Method::POST, "/agents", None).await;
    assert_eq!((s, codes(&v)), (StatusCode::BAD_REQUEST, vec![("".into(), "invalid_json".into())]));
    // A prompt workflow.
    let id = t.launch("npk_alice", json!({"workflowId": PROMPT_WF, "prompt": {"text": "Analyze"}})).await;
    let a = t.terminal("npk_alice", &id).await;
    assert_eq!(a["workflowId"], PROMPT_WF);
}

#[tokio::test]
async fn upload_then_a_slot_workflow_sees_the_files() {
    let t = start().await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 spec".to_vec())
            .file_name("specs.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let resp =
        t.http.post(format!("{}/files/upload", t.base)).bearer_auth("npk_alice").multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let up: Value = resp.json().await.unwrap();
    assert_eq!(
        (up["name"].as_str(), up["mediaType"].as_str(), up["sizeBytes"].as_u64()),
        (Some("specs.pdf"), Some("application/pdf"), Some(13))
    );
    let file = up["id"].as_str().unwrap();
    let resp = t
        .http
        .post(format!("{}/files/upload", t.base))
        .bearer_auth("npk_alice")
        .body("not multipart")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let id = t.launch("npk_alice", json!({"workflowId": SLOT_WF, "workflowInputs": {"Documents": [file]}})).await;
    let a = t.terminal("npk_alice", &id).await;
    assert_eq!(a["activeFileIds"], json!([file, "019aaa09-0000-7000-8000-000000000009"]));
    assert_eq!(a["workflowId"], SLOT_WF);
    let (s, w) = t.get("npk_alice", "/workflows").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(w["data"][1]["kind"], "slots");
}

#[tokio::test]
async fn list_paginates_and_filters_as_the_core_reads_the_query() {
    let t = start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(t.launch("npk_alice", json!({"prompt": {"text": format!("n{i}")}})).await);
    }
    let wf = t.launch("npk_alice", json!({"workflowId": PROMPT_WF, "prompt": {"text": "w"}})).await;
    t.launch("npk_bob", json!({"prompt": {"text": "bob's"}})).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/agents?limit=2&cursor={c}"),
            None => "/agents?limit=2".into(),
        };
        let (s, v) = t.get("npk_alice", &path).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let page = v["data"].as_array().unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|a| a["id"].as_str().unwrap().to_string()));
        match v["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut want = ids.clone();
    want.push(wf.clone());
    want.reverse();
    assert_eq!(seen, want, "newest first, every agent once, bob's not among them");
    let (_, v) = t.get("npk_alice", "/agents?workflowId=null").await;
    assert_eq!(v["data"].as_array().unwrap().len(), 5);
    let (_, v) = t.get("npk_alice", &format!("/agents?workflowId={}", PROMPT_WF.to_uppercase())).await;
    assert_eq!(
        v["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect::<Vec<_>>(),
        [wf.as_str()]
    );
    for id in &ids {
        t.terminal("npk_alice", id).await;
    }
    let (_, v) = t.get("npk_alice", "/agents?status=finished&workflowId=null").await;
    assert_eq!(v["data"].as_array().unwrap().len(), 5);
    for (q, path, code) in [
        ("limit=101", "/limit", "out_of_range"),
        ("limit=0", "/limit", "out_of_range"),
        ("status=paused", "/status", "unknown_status"),
        ("workflowId=abc", "/workflowId", "invalid_uuid"),
        ("color=red", "/color", "unknown_field"),
        ("cursor=", "/cursor", "empty_text"),
    ] {
        let (s, v) = t.get("npk_alice", &format!("/agents?{q}")).await;
        assert_eq!((s, codes(&v)), (StatusCode::BAD_REQUEST, vec![(path.to_string(), code.to_string())]), "{q}");
    }
    let (s, v) = t.get("npk_alice", "/agents?cursor=forged").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    let (_, v) = t.get("npk_alice", "/agents?limit=100").await;
    assert_eq!(v["nextCursor"], Value::Null);
}

#[tokio::test]
async fn follow_up_stop_and_failure_follow_the_lifecycle() {
    let t = start().await;
    // Running (held): a follow-up is 409 invalid_state, with the core's message.
    let held = t.launch("npk_alice", json!({"prompt": {"text": "long one [[hold]]"}})).await;
    t.until("npk_alice", &held, |s| s == "running").await;
    let (s, v) = t.post("npk_alice", &format!("/agents/{held}/followup"), json!({"prompt": {"text": "more"}})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let refused =
        agentrules::lifecycle::apply(&agentrules::AgentStatus::Running, agentrules::lifecycle::Action::FollowUp)
            .unwrap_err();
    assert_eq!((v["code"].as_str(), v["error"].as_str()), (Some("invalid_state"), Some(refused.message.as_str())));
    // Stop of a running agent is asynchronous: the answer still says running.
    let (s, v) = t.post("npk_alice", &format!("/agents/{held}/stop"), json!({})).await;
    assert_eq!((s, v["data"]["status"].as_str()), (StatusCode::OK, Some("running")));
    assert_eq!(t.terminal("npk_alice", &held).await["status"], "stopped");
    let (s, v) = t.post("npk_alice", &format!("/agents/{held}/stop"), json!({})).await;
    assert_eq!((s, v["data"]["status"].as_str()), (StatusCode::OK, Some("stopped")), "stop is idempotent");
    // Waiting: stopped at once.
    let queued = t.launch("npk_alice", json!({"prompt": {"text": "[[queue]]"}})).await;
    let (s, v) = t.post("npk_alice", &format!("/agents/{queued}/stop"), json!({})).await;
    assert_eq!((s, v["data"]["status"].as_str()), (StatusCode::OK, Some("stopped")));
    // Failed by directive, with an error message; then a follow-up resumes it.
    let failing = t.launch("npk_alice", json!({"prompt": {"text": "[[fail]] please"}})).await;
    assert_eq!(t.terminal("npk_alice", &failing).await["status"], "failed");
    let (_, conv) = t.get("npk_alice", &format!("/agents/{failing}/conversation")).await;
    assert_eq!(conv["data"]["messages"].as_array().unwrap().last().unwrap()["type"], "error");
    let (s, v) = t.post("npk_alice", &format!("/agents/{failing}/followup"), json!({"prompt": {"text": ""}})).await;
    assert_eq!((s, codes(&v)), (StatusCode::BAD_REQUEST, vec![("/prompt/text".into(), "empty_text".into())]));
    let (s, v) =
        t.post("npk_alice", &format!("/agents/{failing}/followup"), json!({"prompt": {"text": "try again"}})).await;
    assert_eq!((s, v["data"]["status"].as_str()), (StatusCode::ACCEPTED, Some("running")));
    assert_eq!(t.terminal("npk_alice", &failing).await["status"], "finished");
    // A finished agent's follow-up makes a new version of its document.
    let id = t.launch("npk_alice", json!({"prompt": {"text": "first"}})).await;
    let a = t.terminal("npk_alice", &id).await;
    let md = a["artifacts"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = t.post("npk_alice", &format!("/agents/{id}/followup"), json!({"prompt": {"text": "second"}})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    t.terminal("npk_alice", &id).await;
    let (_, v) = t.get("npk_alice", &format!("/agents/{id}/artifacts/{md}")).await;
    assert_eq!(v["data"]["version"], 2);
    // An edit replaces the last turn: only the newest branch is returned.
    let (s, _) = t
        .post("npk_alice", &format!("/agents/{id}/followup"), json!({"prompt": {"text": "third, instead [[edit]]"}}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    t.terminal("npk_alice", &id).await;
    let (_, conv) = t.get("npk_alice", &format!("/agents/{id}/conversation")).await;
    let texts: Vec<&str> = conv["data"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "user")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["first", "third, instead [[edit]]"]);
}

#[tokio::test]
async fn delete_keeps_the_artifacts_with_no_creating_session() {
    let t = start().await;
    let id = t.launch("npk_alice", json!({"prompt": {"text": "to delete"}})).await;
    let a = t.terminal("npk_alice", &id).await;
    let art = a["artifacts"][1]["id"].as_str().unwrap().to_string();
    let (s, v, _) = t.call("npk_bob", reqwest::Method::DELETE, &format!("/agents/{id}"), None).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (s, v, _) = t.call("npk_alice", reqwest::Method::DELETE, &format!("/agents/{id}"), None).await;
    assert_eq!((s, v), (StatusCode::NO_CONTENT, Value::Null));
    let (s, v) = t.get("npk_alice", &format!("/agents/{id}")).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, _) = t.get("npk_alice", &format!("/agents/{id}/artifacts/{art}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t.get("npk_alice", &format!("/artifacts/{art}")).await;
    assert_eq!(
        (s, v["data"]["creatingSessionId"].clone(), v["data"]["type"].as_str()),
        (StatusCode::OK, Value::Null, Some("TABLE"))
    );
    let (s, _) = t.get("npk_bob", &format!("/artifacts/{art}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A running agent can be deleted too.
    let held = t.launch("npk_alice", json!({"prompt": {"text": "[[hold]]"}})).await;
    t.until("npk_alice", &held, |s| s == "running").await;
    let (s, _, _) = t.call("npk_alice", reqwest::Method::DELETE, &format!("/agents/{held}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = t.get("npk_alice", &format!("/agents/{held}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn auth_scope_and_ownership_answer_401_403_404() {
    let t = start().await;
    let id = t.launch("npk_alice", json!({"prompt": {"text": "mine"}})).await;
    for (auth, code) in [
        (None, "unauthorized"),
        (Some("Basic abc"), "unauthorized"),
        (Some("Bearer sk_live"), "unauthorized"),
        (Some("Bearer npk_unknown"), "unauthorized"),
        (Some("Bearer npk_noscope"), "forbidden"),
    ] {
        let mut req = t.http.get(format!("{}/agents", t.base));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let v: Value = resp.json().await.unwrap();
        assert_eq!(
            (v["code"].as_str(), agentrules::errors::ApiErrorCode::parse(code).status()),
            (Some(code), Some(status)),
            "{auth:?}"
        );
        assert!(agentrules::check("error-envelope", &v.to_string(), None).unwrap().ok);
    }
    let (s, v) = t.get("npk_bob", &format!("/agents/{id}")).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (s, _) = t.get("npk_alice2", &format!("/agents/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = t.get("npk_alice", "/agents/019abc12-0000-7000-8000-000000000000").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, _) = t.get("npk_alice", "/agents/not-an-id/conversation").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t.get("npk_alice", "/nothing/here").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, _, _) = t.call("npk_alice", reqwest::Method::PUT, "/agents", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_classes_are_per_key_with_retry_after() {
    let t = start().await;
    for i in 0..agentrules::endpoints::RateClass::Heavy.per_minute() {
        t.launch("npk_bob", json!({"prompt": {"text": format!("{i} [[queue]]")}})).await;
    }
    let (s, v, h) =
        t.call("npk_bob", reqwest::Method::POST, "/agents", Some(json!({"prompt": {"text": "one more"}}))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let wait: u64 = h.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Invalid requests count too; the Standard class is separate; other keys are not affected.
    let (s, _) = t.post("npk_bob", "/agents", json!({})).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let (s, _) = t.get("npk_bob", "/agents").await;
    assert_eq!(s, StatusCode::OK);
    t.launch("npk_alice", json!({"prompt": {"text": "fine"}})).await;
    // Standard: 300 a minute.
    let mut ok = 1; // the list above
    let mut limited = 0;
    for _ in 0..305 {
        let (s, _) = t.get("npk_bob", "/agents?limit=1").await;
        if s == StatusCode::OK {
            ok += 1
        } else {
            assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
            limited += 1
        }
    }
    assert_eq!((ok, limited), (300, 6));
}

#[tokio::test]
async fn the_same_seed_and_requests_give_the_same_ids_and_openapi_is_served() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let t = start_with(None, 7).await;
        let key = Config::default_for_seed(7).keys[0].key.clone();
        let mut ids = Vec::new();
        for i in 0..3 {
            let id = t.launch(&key, json!({"prompt": {"text": format!("p{i}")}})).await;
            let a = t.terminal(&key, &id).await;
            ids.push(id);
            ids.extend(a["artifacts"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()));
        }
        let doc: Value =
            t.http.get(t.base.replace("/api/v0", "/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert_eq!(doc, agentrules_server::openapi::document());
        runs.push(ids);
    }
    assert_eq!(runs[0], runs[1]);
    let other = Config::default_for_seed(8).keys[0].key.clone();
    assert_ne!(other, Config::default_for_seed(7).keys[0].key);
}

#[test]
fn the_readme_curl_uses_the_key_serve_prints_by_default() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme.split("## Try the API locally").nth(1).unwrap();
    let key = Config::default_for_seed(0).keys[0].key.clone();
    assert!(section.contains(&format!("Bearer {key}")), "README's curl should use {key}");
    assert!(section.contains("serve --port 8080"));
}

#[test]
fn a_configuration_is_read_with_the_cores_context_rules() {
    let bad = |v: Value| Config::from_json(&v.to_string(), 0).unwrap_err();
    assert!(bad(json!({"keys": [{"key": "sk_live"}]})).contains("npk_"));
    assert!(bad(json!({"workflow": {"slots": []}})).contains("workflows"));
    assert!(bad(json!({"limits": {"maxImages": 9}})).contains("/limits/maxImages"));
    assert!(bad(json!({"workflows": [{"id": "nope"}]})).contains("/workflow/id"));
    assert!(bad(json!({"workflows": [{"id": PROMPT_WF, "slots": [{"name": " "}]}]})).contains("/workflow/slots/0/name"));
    // The NOME part: the policy matrix is the core's (P1), installs have UUIDs, roles are text.
    let policy = json!({"tools": {"t": {"maxCalls": -1, "approval": "none", "offline": "allow", "roles": ["member"]}}});
    assert!(bad(json!({ "policy": policy })).contains("/tools/t/maxCalls"));
    assert!(bad(json!({"installs": [{"id": "nope", "connector": "github", "owner": "a"}]})).contains("UUID"));
    assert!(bad(json!({"keys": [{"key": "npk_a", "role": " "}]})).contains("role"));
    assert!(bad(json!({"agents": [{"id": "a"}, {"id": "a"}]})).contains("twice"));
    assert!(bad(json!({"connectorPolicy": {"failureThreshold": 0}})).contains("failureThreshold"));
    let c = Config::from_json(&json!({"limits": {"maxListLimit": 10}}).to_string(), 3).unwrap();
    assert_eq!(c.context.limits.max_list_limit, 10);
    assert_eq!(c.context.entitlements, None, "without entitlements the capability check does not run");
    assert_eq!((c.keys, c.workflows.len()), (Config::default_for_seed(3).keys, 2));
}

// ---- NOME: threads, runs, the durable log, SSE, approvals, connectors (`/nome/v1`) ----

fn nome_config() -> Config {
    let text = json!({
        "keys": [
            { "key": "npk_alice", "owner": "alice" },
            { "key": "npk_alice_phone", "owner": "alice" },
            { "key": "npk_alice_admin", "owner": "alice", "role": "admin" },
            { "key": "npk_bob", "owner": "bob" }
        ],
        "installs": [
            { "id": "019def34-0000-7000-8000-0000000000a1", "connector": "github", "owner": "alice", "secret": "gh-secret" },
            { "id": "019def34-0000-7000-8000-0000000000a4", "connector": "google_workspace", "owner": "alice", "google": { "channelToken": "chan-tok" } },
            { "id": "019def34-0000-7000-8000-0000000000a5", "connector": "jira", "owner": "alice", "secret": "x" }
        ],
        "connectorPolicy": { "failureThreshold": 3, "sweepAfter": 0 },
        "rateLimits": false
    });
    Config::from_json(&text.to_string(), 0).unwrap()
}

/// A NOME client: a key and a build identity.
struct Nome<'a> {
    t: &'a T,
    key: &'a str,
    surface: &'a str,
}

impl Nome<'_> {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let base = self.t.base.trim_end_matches("/api/v0");
        self.t
            .http
            .request(method, format!("{base}/nome/v1{path}"))
            .header("Authorization", format!("Bearer {}", self.key))
            .header("X-Nome-Client-Surface", self.surface)
            .header("X-Nome-Client-Version", "1.4.2")
            .header("X-Nome-Client-Revision", "abc123")
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let s = resp.status();
        let text = resp.text().await.unwrap();
        (s, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    /// The run's stream from `last_event_id`, decoded by the core's `SseDecoder` until it ends.
    async fn stream(&self, run: &str, last_event_id: Option<u64>) -> Vec<agentrules::sse::SseEvent> {
        let mut r = self.req(reqwest::Method::GET, &format!("/runs/{run}/stream"));
        if let Some(id) = last_event_id {
            r = r.header("Last-Event-ID", id.to_string());
        }
        let mut resp = r.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        let mut decoder = agentrules::sse::SseDecoder::new();
        let mut out = Vec::new();
        while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), resp.chunk()).await.unwrap().unwrap() {
            for item in decoder.push(&chunk).unwrap() {
                if let agentrules::sse::SseItem::Event(e) = item {
                    out.push(e);
                }
            }
        }
        decoder.finish();
        out
    }
    async fn pending_approval(&self) -> Value {
        for _ in 0..3000 {
            let (s, v) = self.get("/approvals").await;
            assert_eq!(s, StatusCode::OK, "{v}");
            if let Some(a) = v["data"].as_array().unwrap().first() {
                return a.clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no approval became pending in 30 s");
    }
    async fn run_until_terminal(&self, run: &str) -> Value {
        for _ in 0..3000 {
            let (_, v) = self.get(&format!("/runs/{run}")).await;
            if matches!(v["data"]["status"].as_str(), Some("completed" | "failed")) {
                return v["data"].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("run {run} did not end in 30 s");
    }
}

fn replay_of(events: &[agentrules::sse::SseEvent]) -> String {
    let log: Vec<Value> = events.iter().map(|e| agentrules::run::event_from_sse(e).unwrap()).collect();
    serde_json::to_string(&agentrules::run::replay(&Value::Array(log)).unwrap()).unwrap()
}

#[tokio::test]
async fn nome_two_clients_of_one_user_stream_a_run_and_the_second_approves_its_tool_call() {
    let t = start_with(Some(nome_config()), 0).await;
    let web = Nome { t: &t, key: "npk_alice", surface: "web" };
    let phone = Nome { t: &t, key: "npk_alice_phone", surface: "ios" };
    // Threads: create, rename, list (from the other device too), H1/H2 from the core.
    let (s, v) = web.post("/threads", json!({"title": "  Quarterly mail  "})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let thread = v["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["data"]["title"], "Quarterly mail");
    let (s, v) = web.post("/threads", json!({"title": "a\nb", "x": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(codes(&v), [("/x".into(), "unknown_field".into()), ("/title".into(), "control_character".into())]);
    let (s, v) =
        phone.send(reqwest::Method::PATCH, &format!("/threads/{thread}"), Some(json!({"title": "Mail"}))).await;
    assert_eq!((s, v["data"]["title"].as_str()), (StatusCode::OK, Some("Mail")));
    let (_, v) = phone.get("/threads").await;
    assert_eq!(v["data"][0]["id"], thread.as_str());
    let bob = Nome { t: &t, key: "npk_bob", surface: "web" };
    assert_eq!(bob.get(&format!("/threads/{thread}")).await.0, StatusCode::FORBIDDEN);

    // A message that names a tool needing a `user` approval starts a chat run.
    let (s, v) = web
        .post(
            &format!("/threads/{thread}/messages"),
            json!({"text": "search web_search then send_email", "domainHints": ["mail"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let run = v["data"]["run"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["data"]["run"]["status"], "pending");
    assert_eq!(v["data"]["message"]["metadata"]["runId"], run.as_str());
    // Both devices stream the run; the phone approves from the queue.
    let (a, b, approved) = tokio::join!(web.stream(&run, None), phone.stream(&run, None), async {
        let approval = phone.pending_approval().await;
        assert_eq!((approval["tool"].as_str(), approval["tier"].as_str()), (Some("send_email"), Some("user")));
        let (s, v) = phone.post(&format!("/approvals/{}/approve", approval["id"].as_str().unwrap()), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            v["data"]["decidedBy"],
            json!({"surface": "ios", "version": "1.4.2", "revision": "abc123", "role": "member"})
        );
        v
    });
    assert_eq!(a, b);
    let types: Vec<&str> = a.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(types.first(), Some(&"run.started"));
    assert_eq!(types.last(), Some(&"run.completed"));
    assert!(
        types.contains(&"approval.request") && types.iter().filter(|t| **t == "tool.call").count() == 2,
        "{types:?}"
    );
    for (i, e) in (1u64..).zip(a.iter()) {
        assert_eq!(e.id, i.to_string());
        let ev = agentrules::run::event_from_sse(e).unwrap();
        assert!(agentrules::run::check_event(&ev).is_empty());
        assert_eq!(ev["runId"], run.as_str());
    }
    // A second decision is 409 (P3: terminal).
    let (s, _) = web.post(&format!("/approvals/{}/reject", approved["data"]["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The replay over loopback is the core's replay of what was streamed, byte for byte.
    let live = replay_of(&a);
    let resp = web.req(reqwest::Method::GET, &format!("/runs/{run}/replay")).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), live);
    // Last-Event-ID resumes from the log.
    let rest = phone.stream(&run, Some(5)).await;
    assert_eq!(rest.first().map(|e| e.id.as_str()), Some("6"));
    assert_eq!(rest.as_slice(), a.get(5..).unwrap());
    // The stored log is what was streamed, and the receipts are typed (P4).
    let (_, log) = web.get(&format!("/runs/{run}/events")).await;
    let streamed: Vec<Value> = a.iter().map(|e| agentrules::run::event_from_sse(e).unwrap()).collect();
    assert_eq!(log["data"], Value::Array(streamed));
    let (_, receipts) = web.get(&format!("/runs/{run}/receipts")).await;
    for r in receipts["data"].as_array().unwrap() {
        assert!(agentrules::policy::check_receipt(r).is_empty(), "{r}");
    }
    // The assistant message joined the thread with its metadata (H3/H4).
    web.run_until_terminal(&run).await;
    let (_, msgs) = phone.get(&format!("/threads/{thread}/messages")).await;
    let last = msgs["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["role"], "assistant");
    assert!(agentrules::thread::check_metadata(&last["metadata"]).is_empty());
    assert_eq!(last["metadata"]["toolsInvoked"], json!(["web_search", "send_email"]));
    assert_eq!(last["metadata"]["episodeIds"], json!([run]));
    // Delete: the thread goes, the run and its log stay.
    assert_eq!(web.send(reqwest::Method::DELETE, &format!("/threads/{thread}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(web.get(&format!("/threads/{thread}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(web.get(&format!("/runs/{run}")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn nome_policy_matrix_governs_tool_calls_and_approvals_need_the_tiers_rank() {
    let t = start_with(Some(nome_config()), 0).await;
    let member = Nome { t: &t, key: "npk_alice", surface: "web" };
    let admin = Nome { t: &t, key: "npk_alice_admin", surface: "desktop" };
    // max calls (web_search: 2 a run), offline (send_email: queue), unknown agent, bad bodies.
    let (s, v) =
        member.post("/runs", json!({"input": "web_search web_search web_search send_email", "online": false})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let run = v["data"]["id"].as_str().unwrap().to_string();
    member.run_until_terminal(&run).await;
    let (_, r) = member.get(&format!("/runs/{run}/receipts")).await;
    let outcomes: Vec<(&str, &str)> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["tool"].as_str().unwrap(), x["outcome"].as_str().unwrap()))
        .collect();
    // Offline, web_search is `deny`: every call refused; send_email is queued.
    assert_eq!(
        outcomes,
        [("web_search", "denied"), ("web_search", "denied"), ("web_search", "denied"), ("send_email", "queued")]
    );
    assert_eq!(r["data"][0]["reason"], "offline");
    let (_, v) = member.post("/runs", json!({"input": "web_search web_search web_search"})).await;
    let run = v["data"]["id"].as_str().unwrap().to_string();
    member.run_until_terminal(&run).await;
    let (_, r) = member.get(&format!("/runs/{run}/receipts")).await;
    assert_eq!(r["data"][2]["reason"], "max_calls_exceeded");
    assert_eq!(member.post("/runs", json!({"input": "x", "agentId": "nobody"})).await.0, StatusCode::NOT_FOUND);
    let (s, v) = member.post("/runs", json!({"input": " ", "online": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(codes(&v), [("/input".into(), "empty_text".into()), ("/online".into(), "type_mismatch".into())]);
    // An admin-tier tool: a member cannot decide it (403, the core's message), an admin can.
    let (_, v) = member.post("/runs", json!({"input": "delete_files now"})).await;
    let run = v["data"]["id"].as_str().unwrap().to_string();
    let approval = member.pending_approval().await;
    let id = approval["id"].as_str().unwrap();
    let (s, v) = member.post(&format!("/approvals/{id}/approve"), json!({})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    assert!(v["error"].as_str().unwrap().contains("tier admin"), "{v}");
    let (s, _) = admin.post(&format!("/approvals/{id}/reject"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let done = member.run_until_terminal(&run).await;
    assert_eq!(done["status"], "completed");
    let (_, r) = member.get(&format!("/runs/{run}/receipts")).await;
    assert_eq!(r["data"][0]["outcome"], "rejected");
    // A failing run (R1: active → failed), replayed.
    let (_, v) = member.post("/runs", json!({"input": "boom [[fail]]"})).await;
    let run = v["data"]["id"].as_str().unwrap().to_string();
    let events = member.stream(&run, None).await;
    assert_eq!(events.last().map(|e| e.event.as_str()), Some("run.failed"));
    let resp = member.req(reqwest::Method::GET, &format!("/runs/{run}/replay")).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), replay_of(&events));
}

#[tokio::test]
async fn nome_build_identity_headers_are_checked_as_e3_says() {
    let t = start_with(Some(nome_config()), 0).await;
    let url = format!("{}/nome/v1/threads", t.base.trim_end_matches("/api/v0"));
    let resp = t.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = t.http.get(&url).header("Authorization", "Bearer nope").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = t
        .http
        .get(&url)
        .header("Authorization", "Bearer npk_alice")
        .header("X-Nome-Client-Surface", " ")
        .header("X-Nome-Client-Version", "1.4")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        codes(&v),
        [
            ("/X-Nome-Client-Surface".into(), "empty_text".into()),
            ("/X-Nome-Client-Version".into(), "invalid_version".into()),
            ("/X-Nome-Client-Revision".into(), "required".into())
        ]
    );
    let ok = Nome { t: &t, key: "npk_alice", surface: "cli" };
    assert_eq!(ok.get("/threads").await.0, StatusCode::OK);
}

#[tokio::test]
async fn nome_webhooks_answer_the_w4_reason_and_the_install_follows() {
    let t = start_with(Some(nome_config()), 0).await;
    let me = Nome { t: &t, key: "npk_alice", surface: "web" };
    let base = t.base.trim_end_matches("/api/v0").to_string();
    let gh = "019def34-0000-7000-8000-0000000000a1";
    let (_, v) = me.get(&format!("/connectors/installs/{gh}")).await;
    assert_eq!(
        (v["data"]["status"].as_str(), v["data"]["summary"]["nextStep"].as_str()),
        (Some("pending"), Some("wait"))
    );
    // A signature that does not match, three times: degraded, then failed (K3).
    for (i, want) in (1u64..).zip(["degraded", "degraded", "failed"]) {
        let resp = t
            .http
            .post(format!("{base}/nome/v1/webhooks/{gh}"))
            .header("X-Hub-Signature-256", format!("sha256={}", "0".repeat(64)))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(
            (v["reason"].as_str(), v["header"].as_str()),
            (Some("signature_mismatch"), Some("X-Hub-Signature-256"))
        );
        let (_, v) = me.get(&format!("/connectors/installs/{gh}")).await;
        assert_eq!((v["data"]["status"].as_str(), v["data"]["consecutiveFailures"].as_u64()), (Some(want), Some(i)));
    }
    let resp = t.http.post(format!("{base}/nome/v1/webhooks/{gh}")).body("{}").send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["reason"], "missing_header");
    // Google Workspace (W5): the channel token, compared by the core.
    let g = format!("{base}/nome/v1/webhooks/019def34-0000-7000-8000-0000000000a4");
    let resp = t.http.post(&g).header("X-Goog-Channel-Token", "chan-tok").body("").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let resp = t.http.post(&g).header("X-Goog-Channel-Token", "chan-tol").body("").send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["reason"], "channel_token_mismatch");
    // A connector the core has no verification for.
    let resp = t
        .http
        .post(format!("{base}/nome/v1/webhooks/019def34-0000-7000-8000-0000000000a5"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let v: Value = resp.json().await.unwrap();
    assert!(v.get("reason").is_none() && v["error"].as_str().unwrap().contains("jira"), "{v}");
    // A failed install takes a refresh (K2), then the sweep finds nothing degraded.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (s, v) = me
        .post(&format!("/connectors/installs/{gh}/events"), json!({"type": "refresh", "ok": true, "at": now + 1}))
        .await;
    assert_eq!((s, v["data"]["status"].as_str()), (StatusCode::OK, Some("pending")), "{v}");
    let (s, v) =
        me.post(&format!("/connectors/installs/{gh}/events"), json!({"type": "refresh", "ok": true, "at": 5})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // The sweep (K5) picks the degraded Google install (its channel token failed once), not the
    // pending GitHub one.
    let (s, v) = me.post("/connectors/sweep", json!({})).await;
    assert_eq!((s, v["data"]["swept"].clone()), (StatusCode::OK, json!(["019def34-0000-7000-8000-0000000000a4"])));
    assert_eq!(v["data"]["installs"][0]["status"], "pending");
    assert_eq!(
        t.http.post(format!("{base}/nome/v1/webhooks/{}", "0".repeat(5))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn nome_the_sweep_job_recovers_degraded_installs_on_its_own() {
    let text = json!({
        "keys": [{ "key": "npk_alice", "owner": "alice" }],
        "installs": [{ "id": "019def34-0000-7000-8000-0000000000a1", "connector": "github", "owner": "alice", "secret": "s" }],
        "connectorPolicy": { "failureThreshold": 3, "sweepAfter": 0, "sweepEvery": 1 },
        "rateLimits": false
    });
    let t = start_with(Some(Config::from_json(&text.to_string(), 0).unwrap()), 0).await;
    let me = Nome { t: &t, key: "npk_alice", surface: "web" };
    let base = t.base.trim_end_matches("/api/v0").to_string();
    let url = format!("{base}/nome/v1/webhooks/019def34-0000-7000-8000-0000000000a1");
    let resp = t.http.post(&url).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let path = "/connectors/installs/019def34-0000-7000-8000-0000000000a1";
    assert_eq!(me.get(path).await.1["data"]["status"], "degraded");
    for _ in 0..400 {
        if me.get(path).await.1["data"]["status"] == "pending" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the sweep job did not refresh the degraded install in 4 s");
}

#[tokio::test]
async fn nome_rate_classes_count_run_creation_as_heavy() {
    let text = json!({ "keys": [{ "key": "npk_alice", "owner": "alice" }] });
    let t = start_with(Some(Config::from_json(&text.to_string(), 0).unwrap()), 0).await;
    let me = Nome { t: &t, key: "npk_alice", surface: "web" };
    for _ in 0..30 {
        assert_eq!(me.post("/runs", json!({"input": "hello"})).await.0, StatusCode::CREATED);
    }
    let resp = me.req(reqwest::Method::POST, "/runs").json(&json!({"input": "hello"})).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let v: Value = resp.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("Heavy"), "{v}");
    // Standard requests have their own window.
    assert_eq!(me.get("/runs").await.0, StatusCode::OK);
}
