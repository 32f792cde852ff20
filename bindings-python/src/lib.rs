//! `agentrules._native`: the core's rules for Python, through pyo3.
//!
//! A translation layer only (DESIGN.md principle 1): Python values in, the core's answer out,
//! core errors raised as `agentrules.ValidationError` (a `ValueError` with `code` and
//! `violations`). The idiomatic layer (`AgentStatus`, `transition`, `stop`, …) is the Python
//! package around this module; every rule lives in the `agentrules` crate.
// No input may surface a panic to Python (pyo3 would raise `PanicException`, a `BaseException`):
// the workspace's lints (the root Cargo.toml) deny the operations that can panic on input, as in
// the core, and forbid unsafe code.

use agentrules::lifecycle::{self, Action, AgentStatus, Via};
use agentrules::refusal::Document;
use agentrules::{Code, Context, Kind, Refusal, RefusalKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyIterator, PyList, PyMemoryView, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

/// The context paragraph of every check's docstring (`help(agentrules.validate_launch)`).
macro_rules! context_doc {
    () => {
        "
`context` (optional) gives the facts the library cannot fetch: a dict (the `Context`
TypedDict) or its JSON text. Each member is optional, and a check that needs a missing fact
is skipped, not failed:

- `workflow`: `{\"id\": <uuid>, \"slots\": [{\"name\", \"multiple\", \"required\"}]}`, the workflow
  the body names (slot checks, L5–L9);
- `entitlements`: the organisation's capability names, e.g. `[\"webSearch\"]` (C4);
- `limits`: `maxImages`, `maxImageBytes`, `maxListLimit`, `maxDocumentBytes`, each an
  integer that may only tighten the platform's default (4, 20 MiB, 100, 160 MiB);
- `marketplace`: `{\"allow\", \"deny\", \"prerequisites\"}` (M2, M3).

Give the same context the server uses to get the server's answer. A context that is not
valid raises `ValidationError` (`invalid_context`) with its violations."
    };
}

/// Nesting deeper than this is refused, as the core's JSON parser refuses it.
const MAX_DEPTH: usize = agentrules::json::MAX_DEPTH;

/// One problem found in a checked document: a JSON Pointer `path`, a stable `code`, a
/// `message` for people and the `params` a UI builds its own message from.
///
/// >>> import agentrules
/// >>> v = agentrules.validate_launch({"prompt": {"text": ""}}).violations[0]
/// >>> v.path, v.code
/// ('/prompt/text', 'empty_text')
/// >>> v.to_dict()["code"]
/// 'empty_text'
#[pyclass(frozen, module = "agentrules._native", eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
struct Violation(agentrules::Violation);

impl From<&agentrules::Violation> for Violation {
    fn from(v: &agentrules::Violation) -> Self {
        Violation(v.clone())
    }
}

#[pymethods]
impl Violation {
    /// The RFC 6901 JSON Pointer into the checked document (`""` is the whole document).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// The stable code.
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    /// An English sentence for people.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// The facts a UI needs (limits, counts, sizes, the field or slot, the allowed values): a
    /// new dict of the keys `codes()` lists for this code (`{}` when it has none).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &serde_json::to_value(&self.0.params).unwrap_or_default())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Violation(path={}, code={}, message={}, params={})",
            py_repr(&self.0.path),
            py_repr(self.0.code.as_str()),
            py_repr(&self.0.message),
            self.params(py)?.repr()?
        ))
    }

    /// `{"path": ..., "code": ..., "message": ..., "params": {...}}`
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("path", &self.0.path)?;
        d.set_item("code", self.0.code.as_str())?;
        d.set_item("message", &self.0.message)?;
        d.set_item("params", self.params(py)?)?;
        Ok(d)
    }

    /// Pickling and copying: the violation is rebuilt from its dict (`Report(violations=[...])`
    /// reads it back).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyDict>,))> {
        Ok((py.import("agentrules._native")?.getattr("_violation")?, (self.to_dict(py)?,)))
    }
}

/// A violation read back from a `Violation` or its dict (`path`, `code`, `message` and `params`
/// as `to_dict` writes them; without `message`, the code's message rendered from the params).
/// Anything else raises `ValidationError` (`invalid_arguments`) with the core's reason.
fn violation_of(py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<agentrules::Violation> {
    if let Ok(v) = item.cast::<Violation>() {
        return Ok(v.get().0.clone());
    }
    let mut value = argument(py, RefusalKind::InvalidArguments, item)?;
    let invalid = |e: serde_json::Error| refusal(py, Refusal::invalid_arguments(e.to_string()));
    if let Value::Object(map) = &mut value {
        if !map.contains_key("message") {
            let code: Code =
                serde_json::from_value(map.get("code").cloned().unwrap_or(Value::Null)).map_err(invalid)?;
            let params: agentrules::params::Params =
                serde_json::from_value(map.get("params").cloned().unwrap_or_else(|| Value::Object(Map::new())))
                    .map_err(invalid)?;
            map.insert("message".into(), Value::String(code.render(&params)));
        }
    }
    serde_json::from_value(value).map_err(invalid)
}

/// The unpickler of a `Violation` (see `Violation.__reduce__`).
#[pyfunction]
fn _violation(py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<Violation> {
    violation_of(py, item).map(Violation)
}

/// The outcome of a check: `ok` is true exactly when `violations` is empty. A report is
/// truthy when ok, has a `len()` (its violations) and iterates over them; it pickles, copies,
/// converts to a dict or JSON (`to_dict`, `to_json`, `from_dict`), shows as a table in a
/// notebook, and `Report(violations=[...])` builds one (e.g. a test's fake).
///
/// >>> import agentrules
/// >>> report = agentrules.validate_launch({"prompt": {"text": " "}})
/// >>> bool(report), len(report), [v.code for v in report]
/// (False, 1, ['empty_text'])
/// >>> report.errors()[0]["loc"]
/// ('prompt', 'text')
/// >>> agentrules.Report() == agentrules.Report.from_dict({"ok": True, "violations": []})
/// True
#[pyclass(frozen, module = "agentrules._native", eq)]
struct Report {
    #[pyo3(get)]
    ok: bool,
    items: Vec<agentrules::Violation>,
    /// `violations` as Python sees it, built on the first access and the same list afterwards
    /// (an indexed loop over a long report would otherwise build the list once per index).
    list: PyOnceLock<Py<PyList>>,
}

impl PartialEq for Report {
    fn eq(&self, other: &Self) -> bool {
        self.ok == other.ok && self.items == other.items
    }
}

impl From<agentrules::Report> for Report {
    fn from(r: agentrules::Report) -> Self {
        Report { ok: r.ok, items: r.violations, list: PyOnceLock::new() }
    }
}

#[pymethods]
impl Report {
    /// A report of these violations (`Violation` objects or their dicts, as `to_dict` writes
    /// them; `message` may be left out, then it is the code's, rendered from `params`): for
    /// test fakes and for reading a stored report back. `ok` is true exactly when there are
    /// none.
    #[new]
    #[pyo3(signature = (violations=None))]
    fn new(py: Python<'_>, violations: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut items = Vec::new();
        if let Some(list) = violations.filter(|v| !v.is_none()) {
            if list.is_instance_of::<PyString>() || list.is_instance_of::<PyDict>() {
                return Err(PyTypeError::new_err("violations must be an iterable of Violation objects or dicts"));
            }
            for item in list.try_iter()? {
                items.push(violation_of(py, &item?)?);
            }
        }
        Ok(Report::from(agentrules::Report::new(items)))
    }

    /// A report read back from `to_dict()`'s dict or `to_json()`'s text (its `violations`).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let value = argument(py, RefusalKind::InvalidArguments, data)?;
        let report: agentrules::Report =
            serde_json::from_value(value).map_err(|e| refusal(py, Refusal::invalid_arguments(e.to_string())))?;
        Ok(Report::from(agentrules::Report::new(report.violations)))
    }

    /// Every violation, in document order: one list per report, built on the first access
    /// (`to_dict`, `raise_for_violations` and equality read the report itself, not this list).
    #[getter]
    fn violations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = self.list.get_or_try_init(py, || {
            let items = self.items.iter().map(|v| Py::new(py, Violation::from(v))).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items).map(Bound::unbind)
        })?;
        Ok(list.bind(py).clone())
    }

    /// One line for a clean report or one violation; one line per violation otherwise.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let items = self.items.iter().map(|v| Violation::from(v).__repr__(py)).collect::<PyResult<Vec<String>>>()?;
        let ok = if self.ok { "True" } else { "False" };
        if items.len() <= 1 {
            return Ok(format!("Report(ok={ok}, violations=[{}])", items.join(", ")));
        }
        Ok(format!("Report(ok={ok}, violations=[\n    {},\n])", items.join(",\n    ")))
    }

    /// For people: the count, then each violation as the core prints it (`path: message [code]`).
    fn __str__(&self) -> String {
        let mut out = format!("Report: {} violation{}", self.items.len(), if self.items.len() == 1 { "" } else { "s" });
        for v in &self.items {
            out.push_str("\n  ");
            out.push_str(&v.to_string());
        }
        out
    }

    /// A notebook's rendering: a table of path, code and message (every value HTML-escaped).
    fn _repr_html_(&self) -> String {
        let mut out = format!(
            "<table class=\"agentrules-report\"><caption>Report: {} violation{}</caption>",
            self.items.len(),
            if self.items.len() == 1 { "" } else { "s" }
        );
        if !self.items.is_empty() {
            out.push_str("<thead><tr><th>path</th><th>code</th><th>message</th></tr></thead><tbody>");
            for v in &self.items {
                out.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                    html_escape(&v.path),
                    html_escape(v.code.as_str()),
                    html_escape(&v.message)
                ));
            }
            out.push_str("</tbody>");
        }
        out.push_str("</table>");
        out
    }

    /// `ok`: a report is truthy exactly when it has no violations (`if report:` reads "if valid").
    fn __bool__(&self) -> bool {
        self.ok
    }

    /// The number of violations.
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// The violations, in document order (the `violations` list's iterator).
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.violations(py)?.try_iter()
    }

    /// Pickling and copying: a report is rebuilt from its violations' dicts.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyList>,))> {
        let list = PyList::empty(py);
        for v in &self.items {
            list.append(Violation::from(v).to_dict(py)?)?;
        }
        Ok((py.get_type::<Report>().into_any(), (list,)))
    }

    /// The violations as pydantic-style dicts (`type` = the code, `loc`, `msg`, `path`), as
    /// `ValidationError.errors()` gives them.
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("agentrules._errors")?.getattr("errors_of")?.call1((self.violations(py)?,))
    }

    /// The report as the JSON text every surface prints (`to_dict()`'s dict, serialised by the core).
    fn to_json(&self) -> String {
        agentrules::Report::new(self.items.clone()).to_json()
    }

    /// `{"ok": ..., "violations": [{"path", "code", "message", "params"}, ...]}`: the JSON every surface
    /// prints.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("ok", self.ok)?;
        let list = PyList::empty(py);
        for v in &self.items {
            list.append(Violation::from(v).to_dict(py)?)?;
        }
        d.set_item("violations", list)?;
        Ok(d)
    }

    /// Raises `agentrules.ValidationError` (code `bad_request`) when there are violations.
    fn raise_for_violations(&self, py: Python<'_>) -> PyResult<()> {
        if self.ok {
            return Ok(());
        }
        Err(refusal(py, Document::Checked.refuse(self.items.clone())))
    }
}

/// Text for HTML element content and attribute values.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A string as Python's `repr` writes it (single quotes unless the text holds one).
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `agentrules.ValidationError(message, code, violations)` of a core refusal, built from the
/// Python class: `code` is the refusal's kind.
fn refusal(py: Python<'_>, r: Refusal) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import("agentrules._errors")?.getattr("ValidationError")?;
        let list = PyList::empty(py);
        for v in &r.violations {
            list.append(Py::new(py, Violation::from(v))?)?;
        }
        Ok(PyErr::from_value(cls.call1((r.message.as_str(), r.kind.as_str(), list))?))
    };
    build().unwrap_or_else(|e| e)
}

fn core_error(py: Python<'_>, doc: Document, report: &agentrules::Report) -> PyErr {
    refusal(py, doc.refuse(report.violations.clone()))
}

/// Why a Python value is not JSON, and where: the keys and indexes from the document to the
/// offending value, innermost first (each container adds its own on the way out).
struct NotJson {
    message: String,
    at: Vec<Seg>,
    /// A value that is not JSON by itself (a NaN, a `set`): a lenient reading puts `null` in
    /// its place and reports it; a problem of the structure (too deep, too many values, a
    /// changed dict, a key that is not a string) stops any reading.
    leaf: bool,
}

/// The state of one reading of a Python value: the values read so far (held to
/// [`agentrules::json::MAX_VALUES`]) and, when `lenient`, the leaves read as `null`.
#[derive(Default)]
struct Reading {
    count: u64,
    lenient: bool,
    substituted: Vec<NotJson>,
}

impl Reading {
    /// A child's outcome inside a container: a leaf that is not JSON becomes `null` when
    /// lenient; the segment `seg` is added to whatever the child substituted or failed on.
    fn child(&mut self, seg: impl Fn() -> Seg, outcome: Result<Value, NotJson>, mark: usize) -> Result<Value, NotJson> {
        let out = match outcome {
            Err(e) if e.leaf && self.lenient => {
                self.substituted.push(e);
                Ok(Value::Null)
            }
            Err(e) => return Err(e.under(seg())),
            Ok(v) => Ok(v),
        };
        if let Some(subs) = self.substituted.get_mut(mark..) {
            subs.iter_mut().for_each(|e| e.at.push(seg()));
        }
        out
    }
}

/// One step of a [`NotJson`]'s location.
enum Seg {
    Key(String),
    Index(usize),
}

impl NotJson {
    fn new(message: impl Into<String>) -> Self {
        NotJson { message: message.into(), at: Vec::new(), leaf: false }
    }

    /// A leaf value that is not JSON (see `leaf`).
    fn leaf(message: impl Into<String>) -> Self {
        NotJson { leaf: true, ..NotJson::new(message) }
    }

    /// The same error one container further out, under `seg`.
    fn under(mut self, seg: Seg) -> Self {
        self.at.push(seg);
        self
    }

    /// The location under `base` (a JSON Pointer).
    fn pointer(&self, base: &agentrules::Pointer) -> agentrules::Pointer {
        self.at.iter().rev().fold(base.clone(), |p, seg| match seg {
            Seg::Key(k) => p.key(k),
            Seg::Index(i) => p.index(*i),
        })
    }
}

/// The message of a container changed by code that ran while it was read.
const CHANGED: &str = "a dict that changed while it was read";

/// The items of a dict, read in place (`PyDict_Next`) without pyo3's panic when the dict changes
/// meanwhile: reading it runs no Python code, but a finalizer (the garbage collector) or another
/// thread can, and a dict whose size or keys change while it is read is an error (`CHANGED`),
/// never a panic. A check of the size before each step (pyo3 panics when it differs) and a
/// count of the items (pyo3 panics on the step after more items than the dict had) keep every
/// step inside what pyo3's iterator accepts.
struct DictItems<'py> {
    dict: Bound<'py, PyDict>,
    iter: pyo3::types::iter::BoundDictIterator<'py>,
    len: usize,
    seen: usize,
    done: bool,
}

impl<'py> DictItems<'py> {
    fn new(dict: &Bound<'py, PyDict>) -> Self {
        DictItems { dict: dict.clone(), iter: dict.iter(), len: dict.len(), seen: 0, done: false }
    }
}

impl<'py> Iterator for DictItems<'py> {
    type Item = Result<(Bound<'py, PyAny>, Bound<'py, PyAny>), NotJson>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.dict.len() != self.len {
            self.done = true;
            return Some(Err(NotJson::new(CHANGED)));
        }
        let item = self.iter.next();
        self.seen = self.seen.saturating_add(1);
        match item {
            None => {
                self.done = true;
                None
            }
            Some(_) if self.seen > self.len => {
                self.done = true;
                Some(Err(NotJson::new(CHANGED)))
            }
            Some(kv) => Some(Ok(kv)),
        }
    }
}

/// Bytes given where raw bytes or JSON text are expected, by the package's one rule: `bytes`,
/// `bytearray` and `memoryview` (C-contiguous, of single bytes: format `B`, `b` or `c`) are raw
/// bytes on every entry. A `bytes` is read in place; the mutable ones are copied, so no other
/// thread can change them while the GIL is released.
enum RawBytes<'py> {
    Bytes(Bound<'py, PyBytes>),
    Copied(Vec<u8>),
}

impl RawBytes<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            RawBytes::Bytes(b) => b.as_bytes(),
            RawBytes::Copied(v) => v,
        }
    }
}

/// `Ok(None)` when `obj` is none of the bytes-like types; `Err` (why) for a `memoryview` that
/// is not raw bytes. Runs no user code: `memoryview` cannot be subclassed.
fn raw_bytes<'py>(obj: &Bound<'py, PyAny>) -> Result<Option<RawBytes<'py>>, String> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(RawBytes::Bytes(b.clone())));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Some(RawBytes::Copied(b.to_vec())));
    }
    let Ok(view) = obj.cast::<PyMemoryView>() else { return Ok(None) };
    let read = || -> PyResult<Result<Bound<'py, PyBytes>, String>> {
        let format: String = view.getattr("format")?.extract()?;
        if !matches!(format.as_str(), "B" | "b" | "c") {
            return Ok(Err(format!("a memoryview of format {} is not bytes (B, b or c)", py_repr(&format))));
        }
        if !view.getattr("c_contiguous")?.is_truthy()? {
            return Ok(Err("a memoryview that is not C-contiguous".into()));
        }
        Ok(Ok(view.call_method0("tobytes")?.cast_into::<PyBytes>()?))
    };
    match read() {
        Ok(Ok(b)) => Ok(Some(RawBytes::Bytes(b))),
        Ok(Err(why)) => Err(why),
        // A released memoryview refuses every attribute.
        Err(_) => Err("a memoryview that cannot be read (released)".into()),
    }
}

/// Raw bytes or a `TypeError` naming the argument (`str` is refused: decoded text may not be
/// the bytes that were sent or signed).
fn raw_bytes_arg<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<RawBytes<'py>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be the raw bytes as received (bytes, bytearray or memoryview), not str"
        )));
    }
    match raw_bytes(obj) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(PyTypeError::new_err(format!("{what} must be bytes, bytearray or memoryview"))),
        Err(why) => Err(PyTypeError::new_err(format!("{what} must be raw bytes: {why}"))),
    }
}

/// A `str`'s UTF-8 text, or why not (a lone surrogate). Reads the string in place (a `str`
/// subclass's methods are not called).
fn text<'a>(s: &'a Bound<'_, PyString>) -> Result<std::borrow::Cow<'a, str>, NotJson> {
    s.to_cow().map_err(|_| NotJson::leaf("a string that is not valid Unicode (a lone surrogate)"))
}

/// A Python value as JSON: `None`, `bool`, `int`, `float` (finite), `str`, `dict` with `str`
/// keys, `list` and `tuple`. Exact built-in types are recognised by one type comparison each
/// (the common case, and most of the cost of a large table); subclasses go the slow way.
/// No Python code runs: values are read in place (an `int` subclass's `__float__` or `__index__`,
/// a `str` subclass's `__str__`, a key's `__hash__` or `__eq__` are never called), so no input
/// can change a container while it is read, and a change by anything else is an error.
///
/// Counts the values read into `r.count`: past the core's
/// [`agentrules::json::MAX_VALUES`] it stops (the caller tells that case by the count), so a
/// list of 41 million strings is refused, not copied into gigabytes.
fn to_value_counted(obj: &Bound<'_, PyAny>, depth: usize, r: &mut Reading) -> Result<Value, NotJson> {
    r.count = r.count.saturating_add(1);
    if r.count > agentrules::json::MAX_VALUES {
        return Err(NotJson::new("too many values"));
    }
    // `depth` counts the containers around `obj`; a container at `MAX_DEPTH` would be one level
    // too many, refused before any recursion.
    let too_deep = || NotJson::new(format!("the value is nested deeper than {MAX_DEPTH} levels"));
    let py = obj.py();
    let t = obj.get_type();
    if let Ok(s) = obj.cast::<PyString>() {
        return text(s).map(|s| Value::String(s.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        let mut map = Map::with_capacity(d.len());
        for item in DictItems::new(d) {
            let (k, v) = item?;
            let key = k.cast::<PyString>().map_err(|_| NotJson::new("an object key that is not a string"))?;
            // A key is structure: one that is not Unicode stops the reading.
            let key = text(key).map_err(|e| NotJson { leaf: false, ..e })?.into_owned();
            let mark = r.substituted.len();
            let outcome = to_value_counted(&v, depth.saturating_add(1), r);
            let value = r.child(|| Seg::Key(key.clone()), outcome, mark)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if t.is(py.get_type::<PyInt>()) || obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        // Beyond 64 bits: `int.__float__` itself (correctly rounded; OverflowError past a
        // float), never the subclass's own `__float__`.
        return py
            .get_type::<PyInt>()
            .call_method1(pyo3::intern!(py, "__float__"), (obj,))
            .and_then(|f| f.extract::<f64>())
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| NotJson::leaf("an integer too large for JSON"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        // A float subclass's value is read in place (`PyFloat_AsDouble` calls no `__float__`
        // on a float).
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| NotJson::leaf("NaN and infinities are not JSON (a missing value in a DataFrame is NaN)"));
    }
    if (obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) && depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    // A list's iterator reads its length at every step: a list changed meanwhile is read as it
    // is then, without a panic.
    let item = |(i, v): (usize, Bound<'_, PyAny>)| {
        let mark = r.substituted.len();
        let outcome = to_value_counted(&v, depth.saturating_add(1), r);
        r.child(|| Seg::Index(i), outcome, mark)
    };
    if let Ok(l) = obj.cast::<PyList>() {
        return l.iter().enumerate().map(item).collect::<Result<Vec<_>, _>>().map(Value::Array);
    }
    if let Ok(tup) = obj.cast::<PyTuple>() {
        return tup.iter().enumerate().map(item).collect::<Result<Vec<_>, _>>().map(Value::Array);
    }
    if obj.is_instance_of::<PyMemoryView>() || obj.is_instance_of::<PyByteArray>() || obj.is_instance_of::<PyBytes>() {
        return Err(NotJson::leaf("bytes inside a value (only a whole document may be bytes: JSON text)"));
    }
    // The qualified name (`numpy.int64`, not `int64`), with the conversion numpy offers.
    let type_name = t.fully_qualified_name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    let hint =
        if type_name.starts_with("numpy.") { " (convert numpy values with `.item()` or `.tolist()`)" } else { "" };
    Err(NotJson::leaf(format!("a `{type_name}` is not a JSON value{hint}")))
}

/// A JSON value as Python.
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, item) in map {
                d.set_item(k, to_py(py, item)?)?;
            }
            d.into_any()
        }
    })
}

/// `invalid_json` at the document.
fn not_json(m: String) -> agentrules::Violation {
    agentrules::Violation::new(&agentrules::Pointer::root(), Code::InvalidJson, m)
}

/// A Python value that is not JSON: `invalid_json` at the offending value, under `base`.
fn not_json_value(e: &NotJson, base: &agentrules::Pointer) -> agentrules::Violation {
    agentrules::Violation::new(&e.pointer(base), Code::InvalidJson, format!("the input is not JSON: {}", e.message))
}

/// The document a check reads: `str` and bytes-like values (`RawBytes`) are JSON text, anything
/// else a Python value. Both are held to `max_bytes` (`limits.maxDocumentBytes`): text by its
/// length, a value by the length of its JSON (`encoded_len`), refused as the core refuses text.
fn document(input: &Bound<'_, PyAny>, max_bytes: u64) -> Result<Value, agentrules::Violation> {
    if let Ok(s) = input.cast::<PyString>() {
        let text = text(s).map_err(|e| not_json(format!("the input is not JSON text: {}", e.message)))?;
        return agentrules::json::parse_limited(text.as_bytes(), max_bytes);
    }
    match raw_bytes(input) {
        Ok(Some(b)) => return agentrules::json::parse_limited(b.as_slice(), max_bytes),
        Ok(None) => {}
        Err(why) => return Err(not_json(format!("the input is not JSON: {why}"))),
    }
    let (v, _) = read_value(input, false)?;
    // `u64::MAX`: the caller's core function applies the limit itself (`check_value`).
    if max_bytes < u64::MAX {
        agentrules::json::check_value_len(&v, max_bytes)?;
    }
    Ok(v)
}

/// A Python value as JSON, and (when `lenient`) the `invalid_json` violations of the leaves read
/// as `null` because they are not JSON (a NaN, a `set`, a numpy scalar), at their paths.
fn read_value(
    input: &Bound<'_, PyAny>,
    lenient: bool,
) -> Result<(Value, Vec<agentrules::Violation>), agentrules::Violation> {
    let mut r = Reading { lenient, ..Reading::default() };
    let v = to_value_counted(input, 0, &mut r).map_err(|e| {
        if r.count > agentrules::json::MAX_VALUES {
            agentrules::json::too_many_values()
        } else {
            not_json_value(&e, &agentrules::Pointer::root())
        }
    })?;
    let root = agentrules::Pointer::root();
    Ok((v, r.substituted.iter().map(|e| not_json_value(e, &root)).collect()))
}

/// A check's violations with the leaves that were not JSON: the core's violations at or under
/// a substituted leaf (its `null` stand-in) give way to that leaf's `invalid_json`, which come
/// first, in the order the value was read.
fn with_substituted(
    substituted: Vec<agentrules::Violation>,
    core: Vec<agentrules::Violation>,
) -> Vec<agentrules::Violation> {
    if substituted.is_empty() {
        return core;
    }
    let under = |path: &str, at: &str| path == at || path.strip_prefix(at).is_some_and(|rest| rest.starts_with('/'));
    let kept: Vec<_> = core.into_iter().filter(|v| !substituted.iter().any(|s| under(&v.path, &s.path))).collect();
    substituted.into_iter().chain(kept).collect()
}

/// An argument that must be JSON-like (a context, a matrix, a schema): errors raise. Held to the
/// default `maxDocumentBytes`, as the same argument given as text is.
fn argument(py: Python<'_>, kind: RefusalKind, input: &Bound<'_, PyAny>) -> PyResult<Value> {
    argument_within(py, kind, input, agentrules::Limits::DEFAULT.max_document_bytes)
}

/// `argument` held to `max_bytes` (a context's `maxDocumentBytes`).
fn argument_within(py: Python<'_>, kind: RefusalKind, input: &Bound<'_, PyAny>, max_bytes: u64) -> PyResult<Value> {
    document(input, max_bytes).map_err(|v| refusal(py, Refusal::from_violation(kind, v)))
}

fn context(py: Python<'_>, ctx: Option<&Bound<'_, PyAny>>) -> PyResult<Context> {
    match ctx {
        None => Ok(Context::default()),
        Some(c) if c.is_none() => Ok(Context::default()),
        Some(c) => {
            let v = argument(py, RefusalKind::InvalidContext, c)?;
            Context::from_value(&v).map_err(|r| refusal(py, agentrules::CheckError::InvalidContext(r).into()))
        }
    }
}

fn check_kind(
    py: Python<'_>,
    kind: Kind,
    input: &Bound<'_, PyAny>,
    ctx: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let ctx = context(py, ctx)?;
    // JSON text (`str`) and bytes go through the core's reader as they are (the context's
    // maxDocumentBytes applies); Python values are converted, then held to the same limit.
    if let Ok(s) = input.cast::<PyString>() {
        if let Ok(text) = s.to_cow() {
            let text: &str = &text;
            return Ok(Report::from(py.detach(|| agentrules::check_bytes(kind, text.as_bytes(), &ctx))));
        }
    }
    if let Ok(Some(b)) = raw_bytes(input) {
        let bytes = b.as_slice();
        return Ok(Report::from(py.detach(|| agentrules::check_bytes(kind, bytes, &ctx))));
    }
    // `check_value` holds the value to the context's maxDocumentBytes: measured once, there.
    // A leaf that is not JSON is checked as `null` and reported as `invalid_json` at its path,
    // so the rest of the document is still checked.
    let report = match read_value(input, true) {
        Ok((v, substituted)) => {
            let core = py.detach(|| agentrules::check_value(kind, &v, &ctx));
            agentrules::Report::new(with_substituted(substituted, core.violations))
        }
        Err(v) => agentrules::Report::new(vec![v]),
    };
    Ok(Report::from(report))
}

/// Checks `input` as `kind` (one of `kinds()`: `launch`, `followup`, `image`, `list-query`,
/// `table`, `run-log`, ...) and returns a `Report`.
///
/// `input` is any object: a value (`dict`, `list`, ...) or JSON text (`str`, or raw bytes:
/// `bytes`, `bytearray`, `memoryview`). A value that is not JSON is reported, never raised:
/// `invalid_json` at the path of the offending value (a NaN, a `set`, a numpy scalar).
#[doc = context_doc!()]
///
/// Raises `ValidationError`: `unknown_kind` for a kind the library does not have,
/// `invalid_context` for a context that is not valid.
///
/// >>> import agentrules
/// >>> agentrules.check("list-query", {"limit": 500}).violations[0].code
/// 'out_of_range'
/// >>> agentrules.check("list-query", '{"limit": 50}', {"limits": {"maxListLimit": 20}}).ok
/// False
#[pyfunction]
#[pyo3(signature = (kind, input, context=None))]
fn check(py: Python<'_>, kind: &str, input: &Bound<'_, PyAny>, context: Option<&Bound<'_, PyAny>>) -> PyResult<Report> {
    let k =
        Kind::parse(kind).ok_or_else(|| refusal(py, agentrules::CheckError::UnknownKind(kind.to_string()).into()))?;
    check_kind(py, k, input, context)
}

/// Checks a launch body (`POST /api/v0/agents`: rules L1–L10, I1–I6, C1–C4) and returns a
/// `Report`: `ok`, and each violation's `path` (a JSON Pointer), `code`, `message`, `params`.
///
/// `body` is any object: the body as a value (`dict`) or as JSON text (`str`, or the raw bytes
/// received). A value that is not JSON is reported at its path (`invalid_json`), never raised.
#[doc = context_doc!()]
///
/// >>> import agentrules
/// >>> agentrules.validate_launch({"prompt": {"text": "Summarise the drawings"}}).ok
/// True
/// >>> report = agentrules.validate_launch({"prompt": {"text": " "}, "fileIds": ["x"]})
/// >>> [(v.path, v.code) for v in report]
/// [('/prompt/text', 'empty_text'), ('/fileIds/0', 'invalid_uuid')]
/// >>> web = {"prompt": {"text": "Find the code"}, "capabilities": {"webSearch": True}}
/// >>> agentrules.validate_launch(web).ok  # no entitlements given: C4 is not checked
/// True
/// >>> [v.code for v in agentrules.validate_launch(web, {"entitlements": []})]
/// ['capability_not_entitled']
#[pyfunction]
#[pyo3(signature = (body, context=None))]
fn validate_launch(py: Python<'_>, body: &Bound<'_, PyAny>, context: Option<&Bound<'_, PyAny>>) -> PyResult<Report> {
    check_kind(py, Kind::Launch, body, context)
}

/// Checks a follow-up body (`POST /api/v0/agents/{id}/followup`: rules L11, I1–I6) and
/// returns a `Report`. `body` is any object (a `dict`, or JSON text or bytes), as for
/// `validate_launch`.
#[doc = context_doc!()]
///
/// >>> import agentrules
/// >>> agentrules.validate_follow_up({"prompt": {"text": "And the legend?"}}).ok
/// True
/// >>> [(v.path, v.code) for v in agentrules.validate_follow_up({"prompt": {}})]
/// [('/prompt/text', 'required')]
#[pyfunction]
#[pyo3(signature = (body, context=None))]
fn validate_follow_up(py: Python<'_>, body: &Bound<'_, PyAny>, context: Option<&Bound<'_, PyAny>>) -> PyResult<Report> {
    check_kind(py, Kind::FollowUp, body, context)
}

/// I7: checks an image from its media type and its bytes (the whole file, or its first bytes
/// with the file's `length`).
#[pyfunction]
#[pyo3(signature = (media_type, data, length=None, context=None))]
fn check_image_bytes(
    py: Python<'_>,
    media_type: &str,
    data: &Bound<'_, PyAny>,
    length: Option<u64>,
    context: Option<&Bound<'_, PyAny>>,
) -> PyResult<Report> {
    let ctx = self::context(py, context)?;
    let data = raw_bytes_arg(data, "data")?;
    let data = data.as_slice();
    let length = length.unwrap_or_else(|| u64::try_from(data.len()).unwrap_or(u64::MAX));
    let v = agentrules::image::check_image_bytes(media_type, length, data, &ctx.limits);
    Ok(Report::from(agentrules::Report::new(v)))
}

/// Every violation code, in catalogue order: `{"code", "template", "params"}` (the English
/// message template and the params its violations carry; `docs/codes.md`).
///
/// >>> import agentrules
/// >>> entry = next(c for c in agentrules.codes() if c["code"] == "too_many_images")
/// >>> [p["name"] for p in entry["params"]]
/// ['count', 'max']
#[pyfunction]
fn codes(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &serde_json::to_value(Code::catalogue()).unwrap_or_default())
}

/// Every kind `check` accepts, in registry order.
///
/// >>> import agentrules
/// >>> agentrules.kinds()[:3]
/// ['launch', 'followup', 'image']
#[pyfunction]
fn kinds() -> Vec<&'static str> {
    Kind::ALL.iter().map(|(_, n)| *n).collect()
}

/// S1: whether a status is terminal.
#[pyfunction]
fn is_terminal(status: &str) -> bool {
    AgentStatus::parse(status).is_terminal()
}

/// S2: whether `from_ → to` is legal (`via` is `pipeline` or `follow_up`).
#[pyfunction]
#[pyo3(signature = (from_, to, via="pipeline"))]
fn can_transition(py: Python<'_>, from_: &str, to: &str, via: &str) -> PyResult<bool> {
    let via = Via::from_name(Some(via)).map_err(|r| refusal(py, r))?;
    Ok(lifecycle::can_transition(&AgentStatus::parse(from_), &AgentStatus::parse(to), via))
}

/// S2: `None` when `from_ → to` is legal; raises `ValidationError` (`invalid_state`, with the
/// core's `invalid_transition` violation) when it is not.
#[pyfunction]
#[pyo3(signature = (from_, to, via="pipeline"))]
fn check_transition(py: Python<'_>, from_: &str, to: &str, via: &str) -> PyResult<()> {
    let via = Via::from_name(Some(via)).map_err(|r| refusal(py, r))?;
    lifecycle::check_transition(&AgentStatus::parse(from_), &AgentStatus::parse(to), via)
        .map_err(|v| refusal(py, Refusal::from_violation(RefusalKind::InvalidState, v)))
}

/// Every refusal kind (the `code` of a `ValidationError`), in catalogue order.
///
/// >>> import agentrules
/// >>> "invalid_context" in agentrules.refusal_kinds()
/// True
#[pyfunction]
fn refusal_kinds() -> Vec<&'static str> {
    RefusalKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// S3–S5: what an action (`follow_up`, `stop`, `delete`) does in `status`, as a dict
/// (`{"outcome": "transition" | "requested" | "no_op" | "deleted", ...}`). Raises
/// `ValidationError` with code `invalid_state` where the server answers 409.
#[pyfunction]
fn apply_action<'py>(py: Python<'py>, status: &str, action: &str) -> PyResult<Bound<'py, PyAny>> {
    let a = Action::from_name(action).map_err(|r| refusal(py, r))?;
    match lifecycle::apply(&AgentStatus::parse(status), a) {
        Ok(outcome) => to_py(py, &serde_json::to_value(outcome).unwrap_or(Value::Null)),
        Err(e) => Err(refusal(py, e.into())),
    }
}

/// S6: the client-side poll schedule, with the follow-up window of S3. `Poller()` for a new
/// agent, `Poller(follow_up_from="finished")` after a follow-up sent to a finished agent (its
/// old status still shows for a while). `observe(status, elapsed_ms=0)` answers the seconds to
/// wait before the next poll, or `None` when `status` is the outcome.
///
/// >>> import agentrules
/// >>> p = agentrules.Poller()
/// >>> p.observe("running")
/// 5.0
/// >>> p.observe("finished") is None
/// True
#[pyclass(module = "agentrules._native")]
struct Poller {
    inner: lifecycle::Poller,
}

#[pymethods]
impl Poller {
    #[new]
    #[pyo3(signature = (follow_up_from=None))]
    fn new(follow_up_from: Option<&str>) -> Self {
        let inner = match follow_up_from {
            Some(s) => lifecycle::Poller::after_follow_up(AgentStatus::parse(s)),
            None => lifecycle::Poller::new(),
        };
        Poller { inner }
    }

    /// Observes a polled status (`elapsed_ms` since the follow-up, if any): the seconds to wait
    /// before the next poll, or `None` when `status` is the outcome.
    #[pyo3(signature = (status, elapsed_ms=0))]
    fn observe(&mut self, status: &str, elapsed_ms: u64) -> Option<f64> {
        match self.inner.observe(&AgentStatus::parse(status), elapsed_ms) {
            lifecycle::PollStep::Wait { after_ms } => Some(after_ms as f64 / 1000.0),
            lifecycle::PollStep::Done { .. } => None,
        }
    }
}

/// Q1: the canonical query string of a list query (a dict or JSON text), with the context's
/// `limits.maxListLimit`. Raises `ValidationError` (`bad_request`) with the violations when the
/// query is invalid.
///
/// >>> import agentrules
/// >>> agentrules.render_list_query({"limit": 10, "status": "running"})
/// 'limit=10&status=running'
#[pyfunction]
#[pyo3(signature = (query, context=None))]
fn render_list_query(py: Python<'_>, query: &Bound<'_, PyAny>, context: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let ctx = self::context(py, context)?;
    let v = argument_within(py, RefusalKind::BadRequest, query, ctx.limits.max_document_bytes)?;
    agentrules::ListQuery::from_value(&v, &ctx)
        .map(|q| q.to_query_string())
        .map_err(|r| core_error(py, Document::ListQuery, &r))
}

/// E1: parses an error envelope the API answered (JSON `str`/`bytes` or a dict):
/// `(code, error, status, known)`: the code as written, its text, the code's HTTP status and
/// whether the code is one the API documents. Raises `ValidationError` (`invalid_envelope`).
///
/// >>> import agentrules
/// >>> agentrules.parse_error_envelope('{"error": "Slow down", "code": "rate_limited"}')
/// ('rate_limited', 'Slow down', 429, True)
#[pyfunction]
fn parse_error_envelope<'py>(py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let v = argument(py, RefusalKind::InvalidEnvelope, body)?;
    let i = agentrules::errors::ErrorEnvelope::parse_info(&v.to_string()).map_err(|r| refusal(py, r))?;
    Ok((i.code, i.error, i.status, i.known).into_pyobject(py)?.into_any())
}

/// E1: the `(status, envelope)` a server answers for a report's violations (`400` and
/// `{"error", "code"}`), or `None` when the report is clean.
///
/// >>> import agentrules
/// >>> status, body = agentrules.error_envelope(agentrules.validate_launch({}))
/// >>> status, body["code"]
/// (400, 'bad_request')
#[pyfunction]
fn error_envelope<'py>(py: Python<'py>, report: &Report) -> PyResult<Option<Bound<'py, PyAny>>> {
    let violations = report.items.clone();
    let Some((status, env)) = agentrules::errors::ErrorEnvelope::response_for(&agentrules::Report::new(violations))
    else {
        return Ok(None);
    };
    let body = to_py(py, &serde_json::to_value(&env).unwrap_or(Value::Null))?;
    Ok(Some((status, body).into_pyobject(py)?.into_any()))
}

/// E2: seconds to wait for a `Retry-After` value (the header's text, or delta seconds as an
/// `int`) at `now` (Unix seconds; the system clock when omitted), or `None` when the value is
/// neither delta seconds nor an HTTP date.
///
/// >>> import agentrules
/// >>> agentrules.retry_after("120"), agentrules.retry_after(30)
/// (120.0, 30.0)
/// >>> agentrules.retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470)
/// 10.0
#[pyfunction]
#[pyo3(signature = (value, now=None))]
fn retry_after(value: &Bound<'_, PyAny>, now: Option<f64>) -> PyResult<Option<f64>> {
    // An `int` is the header's delta seconds (`120` as `"120"`); `bool` is not a number here.
    let text = if let Ok(s) = value.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        // `int.__str__` itself: a subclass's own `__str__` is never called.
        let py = value.py();
        py.get_type::<PyInt>().call_method1(pyo3::intern!(py, "__str__"), (value,))?.extract::<String>()?
    } else {
        return Err(PyTypeError::new_err("value must be the Retry-After header's text (str) or delta seconds (int)"));
    };
    let now = match now {
        Some(n) if n.is_finite() && n > 0.0 => n as u64,
        Some(_) => 0,
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
    };
    Ok(agentrules::errors::retry_after(&text, now).map(|d| d.as_secs_f64()))
}

/// Runs one of the core's operations by name (`OpName`: `transition`, `poll`, `decide`,
/// `replay`, `verify_webhook`, ...) on JSON-like arguments, and returns its answer, or
/// `{"error": {kind, message, violations}}` when its rule refuses. Raises `ValidationError`
/// (`invalid_arguments`) for arguments of the wrong shape.
///
/// >>> import agentrules
/// >>> agentrules.evaluate("transition", {"from": "running", "to": "finished"})
/// {'ok': True}
#[pyfunction]
fn evaluate<'py>(py: Python<'py>, op: &str, args: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let v = argument(py, RefusalKind::InvalidArguments, args)?;
    let out = agentrules::ops::evaluate(op, &v).map_err(|r| refusal(py, r))?;
    to_py(py, &out)
}

/// P2: a decision on a tool call: `kind` is `allow`, `needs_approval` (with the approval
/// `tier`), `queued` (offline) or `deny` (with the `reason` code); `allowed` is `kind == "allow"`.
#[pyclass(frozen, module = "agentrules._native", eq)]
#[derive(Clone, PartialEq, Eq)]
struct Decision {
    /// `allow`, `needs_approval`, `queued` or `deny`.
    #[pyo3(get)]
    kind: String,
    /// For `needs_approval`: `user` or `admin`.
    #[pyo3(get)]
    tier: Option<String>,
    /// For `deny`: `unknown_tool`, `role_not_allowed`, `max_calls_exceeded` or `offline`.
    #[pyo3(get)]
    reason: Option<String>,
}

#[pymethods]
impl Decision {
    fn __repr__(&self) -> String {
        match (&self.tier, &self.reason) {
            (Some(t), _) => format!("Decision(kind={}, tier={})", py_repr(&self.kind), py_repr(t)),
            (_, Some(r)) => format!("Decision(kind={}, reason={})", py_repr(&self.kind), py_repr(r)),
            _ => format!("Decision(kind={})", py_repr(&self.kind)),
        }
    }

    /// Whether the call may run now.
    #[getter]
    fn allowed(&self) -> bool {
        self.kind == "allow"
    }
}

/// P1/P2: a tool policy matrix (a dict or JSON text), validated once, deciding tool calls.
/// Raises `ValidationError` (`invalid_matrix`) with violations at paths in the matrix.
///
/// >>> import agentrules
/// >>> tool = {"maxCalls": 2, "approval": "user", "offline": "queue", "roles": ["member"]}
/// >>> m = agentrules.PolicyMatrix({"tools": {"send_email": tool}})
/// >>> m.decide("send_email", "member").kind, m.decide("send_email", "member").tier
/// ('needs_approval', 'user')
/// >>> m.decide("send_email", "member", calls_made=2).reason
/// 'max_calls_exceeded'
#[pyclass(frozen, module = "agentrules._native")]
struct PolicyMatrix {
    inner: agentrules::policy::PolicyMatrix,
}

#[pymethods]
impl PolicyMatrix {
    /// Parses a matrix (a dict or JSON text); raises `ValidationError` (`invalid_matrix`).
    #[new]
    fn new(py: Python<'_>, matrix: &Bound<'_, PyAny>) -> PyResult<Self> {
        let v = argument(py, RefusalKind::InvalidMatrix, matrix)?;
        agentrules::policy::PolicyMatrix::from_value(&v)
            .map(|inner| PolicyMatrix { inner })
            .map_err(|r| core_error(py, Document::PolicyMatrix, &r))
    }

    /// Decides a call of `tool` by `role` with `calls_made` calls already in this run (P2).
    #[pyo3(signature = (tool, role, calls_made=0, online=true))]
    fn decide(&self, tool: &str, role: &str, calls_made: u64, online: bool) -> Decision {
        use agentrules::policy::Decision as D;
        match self.inner.decide(tool, role, calls_made, online) {
            D::Allow => Decision { kind: "allow".into(), tier: None, reason: None },
            D::NeedsApproval { tier } => {
                Decision { kind: "needs_approval".into(), tier: Some(tier.as_str().into()), reason: None }
            }
            D::Queued => Decision { kind: "queued".into(), tier: None, reason: None },
            D::Deny { reason } => Decision { kind: "deny".into(), tier: None, reason: Some(reason.as_str().into()) },
        }
    }
}

/// T3–T5: a table's JSON Schema (a dict or JSON text) compiled once, validating any number
/// of rows. Raises `ValidationError` (`invalid_schema`) with violations inside the schema.
/// `validate_elements` takes the artifact's `[{"key", "value"}]` rows (a list of dicts, e.g.
/// built from a DataFrame by `agentrules.table_elements`): every problem is a violation at its
/// row (`/elements/<i>/...`), a value that is not JSON (a NaN) included.
///
/// >>> import agentrules
/// >>> t = agentrules.TableValidator({"type": "object", "properties": {"n": {"type": "integer"}}})
/// >>> [(v.path, v.code) for v in t.validate_elements([{"key": "a", "value": {"n": 1}}, {"key": "b", "value": {"n": "x"}}])]
/// [('/elements/1/value/n', 'schema_type')]
/// >>> t.validate_elements([{"key": "a", "value": {"n": float("nan")}}]).violations[0].path
/// '/elements/0/value/n'
#[pyclass(frozen, module = "agentrules._native")]
struct TableValidator {
    inner: agentrules::table::TableValidator,
    /// The same schema compiled for Python objects (`jsonschema`'s `Pyo3` backend): rows are
    /// first validated in place, without building JSON values; only a table with a problem is
    /// converted and reported by the core (same violations, same paths).
    native: Option<jsonschema::Validator<jsonschema::json::Pyo3>>,
}

/// The length of `obj`'s JSON (as `agentrules::json::encoded_len` measures the converted value) when it is JSON
/// that `to_value` converts without error, built only from the exact built-in types (a
/// subclass, e.g. an enum member, takes the converting path); `None` otherwise: the fast path
/// accepts nothing the converting path would refuse. `depth` counts the containers around it,
/// as in `to_value`.
fn plain_json_len(obj: &Bound<'_, PyAny>, depth: usize) -> Option<u64> {
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return s.to_str().ok().map(agentrules::json::string_len);
    }
    if obj.is_none() {
        return Some(4);
    }
    if let Ok(b) = obj.cast_exact::<PyBool>() {
        return Some(if b.is_true() { 4 } else { 5 });
    }
    if obj.is_exact_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(i) => Some(agentrules::json::number_len(&i.into())),
            Err(_) => obj.extract::<u64>().ok().map(|u| agentrules::json::number_len(&u.into())),
        };
    }
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        return Number::from_f64(f.value()).map(|n| agentrules::json::number_len(&n));
    }
    let inner = depth.saturating_add(1);
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        if depth >= MAX_DEPTH {
            return None;
        }
        // `{` `}`, and per member its name, a colon, its value and a comma but for the last.
        let n = u64::try_from(d.len()).unwrap_or(u64::MAX);
        let mut len = 2u64.saturating_add(n).saturating_add(n.saturating_sub(1));
        for item in DictItems::new(d) {
            let (k, v) = item.ok()?;
            let k = k.cast_exact::<PyString>().ok()?;
            len = len
                .saturating_add(agentrules::json::string_len(k.to_str().ok()?))
                .saturating_add(plain_json_len(&v, inner)?);
        }
        return Some(len);
    }
    if let Ok(l) = obj.cast_exact::<PyList>() {
        if depth >= MAX_DEPTH {
            return None;
        }
        let mut len = 2u64;
        let mut n = 0u64;
        for v in l.iter() {
            len = len.saturating_add(plain_json_len(&v, inner)?);
            n = n.saturating_add(1);
        }
        return Some(len.saturating_add(n.saturating_sub(1)));
    }
    None
}

impl TableValidator {
    /// `validate_elements` of JSON text, with the GIL released from parsing to the last
    /// violation: proved valid on the core's tape when it can be (`proves_elements_valid`, no
    /// `serde_json::Value` built), else parsed and checked in full. Text that is not JSON raises
    /// `invalid_arguments`, as a value that is not a list of rows does.
    fn elements_text(&self, py: Python<'_>, bytes: &[u8]) -> PyResult<Report> {
        let max = agentrules::Limits::DEFAULT.max_document_bytes;
        let out = py.detach(|| {
            if self.inner.proves_elements_valid(bytes) {
                return Ok(Ok(Vec::new()));
            }
            agentrules::json::parse_limited(bytes, max).map(|items| self.inner.validate_elements_value(&items))
        });
        match out {
            Ok(Ok(violations)) => Ok(Report::from(agentrules::Report::new(violations))),
            Ok(Err(r)) => Err(refusal(py, r)),
            Err(v) => Err(refusal(py, Refusal::from_violation(RefusalKind::InvalidArguments, v))),
        }
    }

    /// The fast path of `validate_elements`: true only when the core would report nothing: a
    /// list of dicts with exactly `key` and `value`, plain JSON values (see `plain_json_len`)
    /// whose JSON is within the default `maxDocumentBytes`, each valid, and keys that pass T4
    /// (`agentrules::table::keys_pass`). No Python code runs (the rows are read in place).
    /// Reading Python objects needs the GIL; it is released briefly every `YIELD_EVERY` rows
    /// so other threads keep running during a long table (CPython hands the GIL to a thread
    /// that has been waiting for its switch interval).
    fn all_pass(&self, py: Python<'_>, elements: &Bound<'_, PyAny>) -> bool {
        const YIELD_EVERY: usize = 512;
        let (Some(native), Ok(list)) = (&self.native, elements.cast_exact::<PyList>()) else { return false };
        let max = agentrules::Limits::DEFAULT.max_document_bytes;
        let mut keys = Vec::with_capacity(list.len());
        // `[` `]` and the commas between rows.
        let mut size = 1u64;
        for (i, item) in list.iter().enumerate() {
            if i % YIELD_EVERY == YIELD_EVERY - 1 {
                py.detach(|| ());
            }
            let Ok(row) = item.cast_exact::<PyDict>() else { return false };
            if row.len() != 2 {
                return false;
            }
            let Some(row_len) = plain_json_len(row, 1) else { return false };
            size = size.saturating_add(row_len).saturating_add(1);
            if size > max {
                return false;
            }
            let (mut key, mut value) = (None, None);
            for item in DictItems::new(row) {
                let Ok((k, v)) = item else { return false };
                let Ok(name) = k.cast_exact::<PyString>() else { return false };
                match name.to_str() {
                    Ok("key") => key = Some(v),
                    Ok("value") => value = Some(v),
                    _ => return false,
                }
            }
            let (Some(key), Some(value)) = (key, value) else { return false };
            let Ok(key) = key.cast_into_exact::<PyString>() else { return false };
            if !native.is_valid(value.as_borrowed()) {
                return false;
            }
            keys.push(key);
        }
        // A key that is not valid Unicode fails here, as it would fail conversion.
        let Ok(keys) = keys.iter().map(|k| k.to_str()).collect::<Result<Vec<_>, _>>() else { return false };
        agentrules::table::keys_pass(keys)
    }
}

#[pymethods]
impl TableValidator {
    /// Compiles a table schema (a dict or JSON text); raises `ValidationError`
    /// (`invalid_schema`) with violations at paths inside the schema.
    #[new]
    fn new(py: Python<'_>, schema: &Bound<'_, PyAny>) -> PyResult<Self> {
        let v = argument(py, RefusalKind::InvalidSchema, schema)?;
        let inner = py
            .detach(|| agentrules::table::TableValidator::new(&v))
            .map_err(|r| core_error(py, Document::TableSchema, &r))?;
        let native = inner.compile_for::<jsonschema::json::Pyo3>();
        Ok(TableValidator { inner, native })
    }

    /// Validates table elements (`[{"key": ..., "value": ...}]`): violations at
    /// `/elements/<i>/...`. A list of `{"key", "value"}` dicts is validated in place first
    /// (other threads run in between); a table with any problem is converted and checked by the
    /// core, with the GIL released while its rows are validated.
    fn validate_elements(&self, py: Python<'_>, elements: &Bound<'_, PyAny>) -> PyResult<Report> {
        if self.all_pass(py, elements) {
            return Ok(Report::from(agentrules::Report::new(Vec::new())));
        }
        // JSON text or bytes (e.g. a response body): parsed and validated without the GIL, so
        // threads validating tables given this way run in parallel.
        if let Ok(s) = elements.cast::<PyString>() {
            if let Ok(text) = s.to_cow() {
                let text: &str = &text;
                return self.elements_text(py, text.as_bytes());
            }
        }
        if let Ok(Some(b)) = raw_bytes(elements) {
            return self.elements_text(py, b.as_slice());
        }
        // A value that is not JSON (a DataFrame's NaN, a numpy scalar) is a violation at its
        // cell, as `check("table", ...)` reports it, and the other rows are still checked.
        let (items, substituted) = read_value(elements, true)
            .map_err(|v| refusal(py, Refusal::from_violation(RefusalKind::InvalidArguments, v)))?;
        agentrules::json::check_value_len(&items, agentrules::Limits::DEFAULT.max_document_bytes)
            .map_err(|v| refusal(py, Refusal::from_violation(RefusalKind::InvalidArguments, v)))?;
        let core = py.detach(|| self.inner.validate_elements_value(&items)).map_err(|r| refusal(py, r))?;
        let elements = agentrules::Pointer::root().key("elements");
        let substituted = substituted
            .into_iter()
            .map(|v| agentrules::Violation { path: elements.join_escaped(&v.path).as_str().to_string(), ..v })
            .collect();
        let mut violations = with_substituted(substituted, core);
        // Rows in order: a cell's invalid_json among its row's other violations.
        violations.sort_by_key(|v| row_of(&v.path));
        Ok(Report::from(agentrules::Report::new(violations)))
    }

    /// Validates one row value: violations at its instance paths.
    fn validate_value(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Report> {
        let v = argument(py, RefusalKind::InvalidArguments, value)?;
        let violations = py.detach(|| self.inner.validate_value(&v));
        Ok(Report::from(agentrules::Report::new(violations)))
    }

    /// Whether one row value is valid.
    fn is_valid(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Some(native) = &self.native {
            if plain_json_len(value, 0).is_some_and(|n| n <= agentrules::Limits::DEFAULT.max_document_bytes) {
                return Ok(native.is_valid(value.as_borrowed()));
            }
        }
        let v = argument(py, RefusalKind::InvalidArguments, value)?;
        Ok(py.detach(|| self.inner.is_valid(&v)))
    }
}

/// The row index of a table violation's path (`/elements/<i>/...`); `usize::MAX` for others.
fn row_of(path: &str) -> usize {
    path.strip_prefix("/elements/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|i| i.parse().ok())
        .unwrap_or(usize::MAX)
}

/// R2: an incremental Server-Sent Events decoder: bytes in (e.g. from
/// `httpx.stream(...).iter_bytes()`), events out as dicts (`{"event", "data", "id"}`) and retry
/// values as `{"retry": ms}`, in stream order. Raises `ValidationError` (`invalid_stream`) for
/// a line longer than `max_line_bytes`.
///
/// >>> import agentrules
/// >>> d = agentrules.SseDecoder()
/// >>> d.push(b"event: run.started\ndata: {}\n")
/// []
/// >>> d.push(b"\n")
/// [{'event': 'run.started', 'data': '{}', 'id': ''}]
#[pyclass(module = "agentrules._native")]
struct SseDecoder {
    inner: agentrules::sse::SseDecoder,
    /// The last event type handed out: a stream repeats a few types, so the same Python string
    /// is shared instead of being created per event.
    last_type: Option<(String, Py<PyString>)>,
}

/// Builds the item dicts of one push.
struct PySseSink<'a, 'py> {
    py: Python<'py>,
    out: Vec<Bound<'py, PyDict>>,
    last_type: &'a mut Option<(String, Py<PyString>)>,
    failed: Option<PyErr>,
}

impl PySseSink<'_, '_> {
    fn event_dict(&mut self, event: &str, data: &str, id: &str) -> PyResult<()> {
        let py = self.py;
        let event = match &*self.last_type {
            Some((name, obj)) if name == event => obj.clone_ref(py),
            _ => {
                let obj = PyString::new(py, event).unbind();
                *self.last_type = Some((event.to_owned(), obj.clone_ref(py)));
                obj
            }
        };
        let d = PyDict::new(py);
        d.set_item(pyo3::intern!(py, "event"), event)?;
        d.set_item(pyo3::intern!(py, "data"), PyString::new(py, data))?;
        d.set_item(pyo3::intern!(py, "id"), PyString::new(py, id))?;
        self.out.push(d);
        Ok(())
    }
}

impl agentrules::sse::SseSink for PySseSink<'_, '_> {
    fn event(&mut self, event: &str, data: &str, id: &str) {
        if self.failed.is_none() {
            self.failed = self.event_dict(event, data, id).err();
        }
    }
    fn retry(&mut self, ms: u64) {
        if self.failed.is_none() {
            let d = PyDict::new(self.py);
            self.failed = d.set_item(pyo3::intern!(self.py, "retry"), ms).err();
            self.out.push(d);
        }
    }
}

#[pymethods]
impl SseDecoder {
    /// A decoder; `max_line_bytes` (1 to 256 MiB; default 1 MiB) bounds one line. Raises
    /// `ValidationError` (`invalid_arguments`) outside those bounds.
    #[new]
    #[pyo3(signature = (max_line_bytes=None))]
    fn new(py: Python<'_>, max_line_bytes: Option<u64>) -> PyResult<Self> {
        let limits = match max_line_bytes {
            None => agentrules::sse::SseLimits::default(),
            Some(n) => agentrules::sse::SseLimits::with_max_line_bytes(n).map_err(|r| refusal(py, r))?,
        };
        Ok(SseDecoder { inner: agentrules::sse::SseDecoder::with_limits(limits), last_type: None })
    }

    /// Decodes a chunk; raises `ValidationError` (`invalid_stream`) past a limit.
    /// The dicts are built directly from the decoder's borrowed text (`push_with`: no
    /// intermediate Rust strings), with interned keys and the event type shared while it repeats.
    /// `chunk` is raw bytes: `bytes`, `bytearray` or `memoryview` (a `str` is a `TypeError`).
    fn push<'py>(&mut self, py: Python<'py>, chunk: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let chunk = raw_bytes_arg(chunk, "chunk")?;
        let mut sink = PySseSink { py, out: Vec::new(), last_type: &mut self.last_type, failed: None };
        self.inner.push_with(chunk.as_slice(), &mut sink).map_err(|e| refusal(py, e.into()))?;
        if let Some(e) = sink.failed {
            return Err(e);
        }
        PyList::new(py, sink.out)
    }

    /// Ends the stream: an incomplete event is dropped.
    fn finish(&mut self) {
        self.inner.finish();
    }

    /// The last event id in force.
    #[getter]
    fn last_event_id(&self) -> String {
        self.inner.last_event_id().to_string()
    }

    /// The last valid `retry` value, in milliseconds.
    #[getter]
    fn retry(&self) -> Option<u64> {
        self.inner.retry()
    }
}

/// R5: replays a run event log (a list of flat events, or JSON text) into the run state, as
/// JSON text: the same bytes on every surface. Raises `ValidationError` (`bad_request`).
///
/// >>> import agentrules, json
/// >>> event = {"runId": "run_1", "workItemId": "wi_1", "receipt": {"id": "rcpt_1"}}
/// >>> log = [{**event, "seq": 1, "type": "run.started"}, {**event, "seq": 2, "type": "text.delta", "delta": "Hi"}]
/// >>> json.loads(agentrules.replay_json(log))["status"]
/// 'active'

#[pyfunction]
fn replay_json(py: Python<'_>, log: &Bound<'_, PyAny>) -> PyResult<String> {
    let v = argument(py, RefusalKind::BadRequest, log)?;
    let state = agentrules::run::replay(&v).map_err(|r| core_error(py, Document::RunLog, &r))?;
    serde_json::to_string(&state).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// W4: the outcome of a webhook verification: `verified`, or the `reason` (`RejectReason`),
/// the `header` it concerns and a `message`; truthy exactly when verified.
#[pyclass(frozen, module = "agentrules._native", eq)]
#[derive(Clone, PartialEq, Eq)]
struct WebhookVerification {
    /// True when the request is authentic (and, for Slack, fresh).
    #[pyo3(get)]
    verified: bool,
    /// Why not: `empty_secret`, `missing_header`, `duplicate_header`, `malformed_header`,
    /// `stale_timestamp`, `future_timestamp` or `signature_mismatch`.
    #[pyo3(get)]
    reason: Option<&'static str>,
    /// The header concerned, when there is one.
    #[pyo3(get)]
    header: Option<String>,
    /// `verified` or what was wrong (never the secret, the body or a header value).
    #[pyo3(get)]
    message: String,
}

#[pymethods]
impl WebhookVerification {
    fn __bool__(&self) -> bool {
        self.verified
    }

    fn __repr__(&self) -> String {
        match self.reason {
            None => "WebhookVerification(verified=True)".into(),
            Some(r) => format!(
                "WebhookVerification(verified=False, reason={}, message={})",
                py_repr(r),
                py_repr(&self.message)
            ),
        }
    }
}

/// Header pairs from a mapping (`dict`, Starlette's or httpx's `Headers`: their `multi_items()`
/// or `items()`, so repeated headers are seen) or an iterable of `(name, value)` pairs: tuples
/// or 2-item lists, as ASGI's `scope["headers"]` gives them. A name or value is `str` or raw
/// bytes (`RawBytes`), read as Latin-1 as HTTP and ASGI define header bytes.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = if headers.hasattr("multi_items")? {
        headers.call_method0("multi_items")?
    } else if headers.hasattr("items")? {
        headers.call_method0("items")?
    } else {
        headers.clone()
    };
    let bad_pair = || PyTypeError::new_err("each header must be a (name, value) pair of str or bytes");
    let part = |p: Bound<'_, PyAny>| -> PyResult<String> {
        if let Ok(s) = p.cast::<PyString>() {
            return Ok(s.to_cow()?.into_owned());
        }
        match raw_bytes(&p) {
            Ok(Some(b)) => Ok(b.as_slice().iter().map(|&c| char::from(c)).collect()),
            _ => Err(bad_pair()),
        }
    };
    let mut out = Vec::new();
    for pair in
        items.try_iter().map_err(|_| PyTypeError::new_err("headers must be a mapping or (name, value) pairs"))?
    {
        let pair = pair?;
        let (name, value) = if let Ok(t) = pair.cast::<PyTuple>() {
            if t.len() != 2 {
                return Err(bad_pair());
            }
            (t.get_item(0)?, t.get_item(1)?)
        } else if let Ok(l) = pair.cast::<PyList>() {
            if l.len() != 2 {
                return Err(bad_pair());
            }
            (l.get_item(0)?, l.get_item(1)?)
        } else {
            return Err(bad_pair());
        };
        out.push((part(name)?, part(value)?));
    }
    Ok(out)
}

/// W1–W4: verifies a webhook request of `provider` (`github`, `slack`, `whatsapp`) over its
/// raw body bytes, with its headers (a mapping such as Starlette's `request.headers`, or
/// ASGI's `(name, value)` pairs) and the shared `secret`; `now` (Unix seconds) defaults to the
/// clock. Returns a `WebhookVerification`, truthy when verified; never raises for a forged or
/// malformed request.
///
/// >>> import agentrules, hashlib, hmac
/// >>> body = b'{"action": "opened"}'
/// >>> sig = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
/// >>> bool(agentrules.verify_webhook("github", {"X-Hub-Signature-256": sig}, body, "s3cret"))
/// True
/// >>> agentrules.verify_webhook("github", {"X-Hub-Signature-256": sig}, body + b" ", "s3cret").reason
/// 'signature_mismatch'

#[pyfunction]
#[pyo3(signature = (provider, headers, body, secret, now=None))]
fn verify_webhook(
    py: Python<'_>,
    provider: &str,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    now: Option<i64>,
) -> PyResult<WebhookVerification> {
    let p = agentrules::webhook::WebhookProvider::from_name(provider).map_err(|r| refusal(py, r))?;
    let pairs = header_pairs(headers)?;
    let body = raw_bytes_arg(body, "body")?;
    let secret = match secret.cast::<PyString>() {
        Ok(s) => s.to_cow()?.as_bytes().to_vec(),
        Err(_) => raw_bytes_arg(secret, "secret")?.as_slice().to_vec(),
    };
    let now = match now {
        Some(n) => n,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    };
    let v: agentrules::webhook::WebhookVerification =
        agentrules::webhook::verify(p, &pairs, body.as_slice(), &secret, now).into();
    Ok(WebhookVerification {
        verified: v.verified,
        reason: v.reason.map(|r| r.as_str()),
        header: v.header,
        message: v.message,
    })
}

fn now_or_clock(now: Option<i64>) -> i64 {
    match now {
        Some(n) => n,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    }
}

/// W5: verifies a Google Workspace push notification: the `Authorization: Bearer` token (RS256)
/// against Google's JWKS document `keys` (its JSON text or the parsed dict, fetched and cached
/// by the caller; `None` when no `audience` is expected), its `aud`, issuer, times (`skew_seconds`,
/// 300 by default) and, when `email` is given, the service account; and, when `channel_token` is
/// given, the `X-Goog-Channel-Token` header. `now` (Unix seconds) defaults to the clock. Returns
/// a `WebhookVerification`, truthy when verified; never raises for a forged request.
///
/// >>> import agentrules
/// >>> headers = {"X-Goog-Channel-ID": "chan-1", "X-Goog-Channel-Token": "tok-123"}
/// >>> bool(agentrules.verify_google_webhook(headers, channel_token="tok-123"))
/// True
/// >>> agentrules.verify_google_webhook(headers, channel_token="tok-124").reason
/// 'channel_token_mismatch'
#[pyfunction]
#[pyo3(signature = (headers, keys=None, *, audience=None, email=None, channel_token=None, skew_seconds=None, now=None))]
#[expect(clippy::too_many_arguments, reason = "the expectations are Python keyword arguments")]
fn verify_google_webhook(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    keys: Option<&Bound<'_, PyAny>>,
    audience: Option<String>,
    email: Option<String>,
    channel_token: Option<String>,
    skew_seconds: Option<u32>,
    now: Option<i64>,
) -> PyResult<WebhookVerification> {
    let pairs = header_pairs(headers)?;
    let keys = match keys {
        None => None,
        Some(k) if k.is_none() => None,
        // A str is the document's text, read by the core (text that is not JSON: `invalid_keys`).
        Some(k) => match k.cast::<PyString>() {
            Ok(s) => Some(Value::String(s.to_cow()?.into_owned())),
            Err(_) => Some(argument(py, RefusalKind::InvalidArguments, k)?),
        },
    };
    let expect = agentrules::webhook::google::GoogleExpectations { audience, email, channel_token, skew_seconds };
    let v: agentrules::webhook::WebhookVerification =
        agentrules::webhook::google::verify_google_json(&pairs, keys.as_ref(), &expect, now_or_clock(now)).into();
    Ok(WebhookVerification {
        verified: v.verified,
        reason: v.reason.map(|r| r.as_str()),
        header: v.header,
        message: v.message,
    })
}

fn install_of(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<agentrules::connector::Install> {
    let v = argument(py, RefusalKind::BadRequest, v)?;
    agentrules::connector::Install::from_value(&v).map_err(|r| core_error(py, Document::Install, &r))
}

fn json_out<'py, T: serde::Serialize>(py: Python<'py>, t: &T) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &serde_json::to_value(t).map_err(|e| PyValueError::new_err(e.to_string()))?)
}

/// K2/K3: the connector install (a dict) after `event`. Raises `ValidationError`: `bad_request`
/// for an invalid install or event, `invalid_state` (violation `invalid_transition` or
/// `out_of_order`) when the event cannot apply.
///
/// >>> import agentrules
/// >>> install = {"id": "i1", "connector": "slack", "status": "pending"}
/// >>> agentrules.apply_connector_event(install, {"type": "health", "ok": True, "at": 10})["status"]
/// 'active'
#[pyfunction]
#[pyo3(signature = (install, event, *, failure_threshold=3))]
fn apply_connector_event<'py>(
    py: Python<'py>,
    install: &Bound<'py, PyAny>,
    event: &Bound<'py, PyAny>,
    failure_threshold: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let i = install_of(py, install)?;
    let ev = argument(py, RefusalKind::BadRequest, event)?;
    let e =
        agentrules::connector::InstallEvent::from_value(&ev).map_err(|r| core_error(py, Document::InstallEvent, &r))?;
    let policy = agentrules::connector::ConnectorPolicy { failure_threshold, ..Default::default() };
    match agentrules::connector::apply(&i, &e, policy) {
        Ok(next) => json_out(py, &next),
        Err(v) => Err(refusal(py, Refusal::from_violation(RefusalKind::InvalidState, v))),
    }
}

/// K4: the failure summary of a connector install, for a UI: its status, whether it is
/// healthy, the next step and a message.
///
/// >>> import agentrules
/// >>> agentrules.connector_summary({"id": "i1", "connector": "slack", "status": "active"})["healthy"]
/// True
#[pyfunction]
fn connector_summary<'py>(py: Python<'py>, install: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    json_out(py, &agentrules::connector::summary(&install_of(py, install)?))
}

/// K5: the ids of the installs a recovery sweep at `now` (Unix seconds) should retry: the
/// degraded ones not updated for `sweep_after` seconds.
///
/// >>> import agentrules
/// >>> install = {"id": "i1", "connector": "slack", "status": "degraded", "consecutiveFailures": 1,
/// ...            "updatedAt": 0, "failingSince": 0, "lastError": {"reason": "timeout", "at": 0}}
/// >>> agentrules.sweep_connectors([install], now=600)
/// ['i1']
#[pyfunction]
#[pyo3(signature = (installs, now, *, sweep_after=300))]
fn sweep_connectors(py: Python<'_>, installs: &Bound<'_, PyAny>, now: i64, sweep_after: i64) -> PyResult<Vec<String>> {
    let list = installs
        .try_iter()
        .map_err(|_| PyTypeError::new_err("installs must be an iterable of install dicts"))?
        .map(|i| i.and_then(|i| install_of(py, &i)))
        .collect::<PyResult<Vec<_>>>()?;
    let policy = agentrules::connector::ConnectorPolicy { sweep_after, ..Default::default() };
    Ok(agentrules::connector::sweep(&list, now, policy))
}

/// Panics inside Rust, on purpose: the test of panic safety calls it to show a Rust panic
/// reaches Python as an exception (pyo3's `PanicException`) and the interpreter lives on. Not
/// part of the API.
#[pyfunction]
#[expect(clippy::panic, reason = "the panic-safety test needs a panic on purpose")]
fn _internal_panic_for_tests() {
    panic!("a forced internal failure (panic-safety test)");
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The crate's version, which maturin also writes into the wheel's metadata.
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(_internal_panic_for_tests, m)?)?;
    m.add_class::<WebhookVerification>()?;
    m.add_function(wrap_pyfunction!(verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(verify_google_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(apply_connector_event, m)?)?;
    m.add_function(wrap_pyfunction!(connector_summary, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_connectors, m)?)?;
    m.add_class::<Violation>()?;
    m.add_class::<Report>()?;
    m.add_function(wrap_pyfunction!(_violation, m)?)?;
    m.add_class::<Decision>()?;
    m.add_class::<PolicyMatrix>()?;
    m.add_class::<TableValidator>()?;
    m.add_class::<Poller>()?;
    m.add_class::<SseDecoder>()?;
    m.add_function(wrap_pyfunction!(replay_json, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(validate_launch, m)?)?;
    m.add_function(wrap_pyfunction!(validate_follow_up, m)?)?;
    m.add_function(wrap_pyfunction!(check_image_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(codes, m)?)?;
    m.add_function(wrap_pyfunction!(kinds, m)?)?;
    m.add_function(wrap_pyfunction!(is_terminal, m)?)?;
    m.add_function(wrap_pyfunction!(can_transition, m)?)?;
    m.add_function(wrap_pyfunction!(check_transition, m)?)?;
    m.add_function(wrap_pyfunction!(refusal_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(apply_action, m)?)?;
    m.add_function(wrap_pyfunction!(render_list_query, m)?)?;
    m.add_function(wrap_pyfunction!(parse_error_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(error_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(retry_after, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    Ok(())
}
