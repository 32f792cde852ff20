//! The one report shape: [`Violation`] `{ path, code, message }` inside a [`Report`] `{ ok, violations }`.
//!
//! [`Code`] is the single source of truth for the stable snake_case codes of the rule catalogue
//! (`docs/rules.md`). Every binding derives its own list (TypeScript union, Python `Literal`,
//! Kotlin/Swift enum) from [`Code::ALL`] and checks itself against it.

use serde::{Deserialize, Serialize};

use crate::pointer::Pointer;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal ),+ $(,)?) => {
        /// A stable violation code. Codes are never renamed: frontends key translations on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )+
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )+ ];

            /// The stable snake_case name (the same string serde writes).
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )+ }
            }

            /// The code with this snake_case name, if there is one.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $( $name => Some(Code::$variant), )+ _ => None }
            }
        }

        /// Written as its name, through the one name table of [`Code::as_str`] (serde's derive
        /// would add a second table: 4 KB of the browser package).
        impl Serialize for Code {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

codes! {
    // Conventions that hold everywhere.
    /// Input that is not JSON at all (reported once, at `""`).
    InvalidJson = "invalid_json",
    /// A name repeated within one JSON object (reported once, at the repeat): refused, because
    /// parsers disagree on which value wins.
    DuplicateField = "duplicate_field",
    /// A document longer than `limits.maxDocumentBytes` (reported once, at `""`).
    DocumentTooLarge = "document_too_large",
    /// A value of the wrong JSON type.
    TypeMismatch = "type_mismatch",
    /// A missing required field.
    Required = "required",
    /// An object field this request shape does not have.
    UnknownField = "unknown_field",
    /// A string that is not a canonical 8-4-4-4-12 UUID.
    InvalidUuid = "invalid_uuid",
    /// A number outside its allowed range.
    OutOfRange = "out_of_range",
    /// A string that is empty or only whitespace where text is required.
    EmptyText = "empty_text",
    // S: lifecycle.
    /// S2: a status change that the lifecycle does not allow.
    InvalidTransition = "invalid_transition",
    /// S3: an operation not allowed in the agent's current status (HTTP 409).
    InvalidState = "invalid_state",
    // L: launch and follow-up.
    /// L2: neither `prompt.text` nor `workflowId`.
    MissingPromptOrWorkflow = "missing_prompt_or_workflow",
    /// L4, L5: a simple-agent field sent with `workflowId`.
    NotAllowedWithWorkflow = "not_allowed_with_workflow",
    /// L4: an id repeated in a list.
    DuplicateId = "duplicate_id",
    /// L6: `workflowInputs` without `workflowId`.
    RequiresWorkflow = "requires_workflow",
    /// L7: `prompt` together with `workflowInputs`.
    PromptWithWorkflowInputs = "prompt_with_workflow_inputs",
    /// L8: `prompt` for a workflow that declares file-input slots.
    PromptNotAccepted = "prompt_not_accepted",
    /// L8: a declared slot missing from `workflowInputs`.
    MissingSlot = "missing_slot",
    /// L8: a `workflowInputs` key that is no declared slot.
    UnknownSlot = "unknown_slot",
    /// L8: `null` or an empty list for a required slot.
    SlotRequired = "slot_required",
    /// L8: a slot name the workflow declares more than once.
    AmbiguousSlot = "ambiguous_slot",
    /// L8: the context's workflow definition is for another workflow.
    WorkflowMismatch = "workflow_mismatch",
    /// L9: `workflowInputs` for a prompt-driven workflow.
    InputsNotAccepted = "inputs_not_accepted",
    // I: images.
    /// I1: more images than the limit.
    TooManyImages = "too_many_images",
    /// I3: a media type that is not jpeg, png, webp or gif.
    UnsupportedMediaType = "unsupported_media_type",
    /// I4: a `data:` URL where raw base64 is expected.
    DataUrlNotAllowed = "data_url_not_allowed",
    /// I4: text that is not standard, padded base64.
    InvalidBase64 = "invalid_base64",
    /// I5: an image larger than the limit once decoded.
    ImageTooLarge = "image_too_large",
    /// I6: bytes that do not start with the declared type's signature.
    MediaTypeMismatch = "media_type_mismatch",
    // C: capabilities.
    /// C1: a capability that does not exist.
    UnknownCapability = "unknown_capability",
    /// C4: a capability the organisation is not entitled to.
    CapabilityNotEntitled = "capability_not_entitled",
    // Q: listing and reading.
    /// Q1: a status filter that is no agent status.
    UnknownStatus = "unknown_status",
    /// Q2: an `include` item other than `steps`.
    UnknownInclude = "unknown_include",
    // E: errors and authentication (decided codes for E3).
    /// E3: an `Authorization` header that is not `Bearer <token>`.
    InvalidAuthorization = "invalid_authorization",
    /// E3: an Agent API key that does not start with `npk_`.
    InvalidApiKey = "invalid_api_key",
    /// E3: an `X-Nome-Client-Version` that is not a semantic version.
    InvalidVersion = "invalid_version",
    // T: artifacts and tables (section 4).
    /// T3: a schema that is not a valid JSON Schema.
    InvalidSchema = "invalid_schema",
    /// T3: a table schema whose root does not describe objects.
    SchemaNotObject = "schema_not_object",
    /// T3: a `$ref` that cannot be resolved without I/O.
    UnresolvableRef = "unresolvable_ref",
    /// T4: an element key repeated in a table.
    DuplicateKey = "duplicate_key",
    /// T4: a value fails `type`.
    SchemaType = "schema_type",
    /// T4: a value fails `required`.
    SchemaRequired = "schema_required",
    /// T4: a value fails `pattern`.
    SchemaPattern = "schema_pattern",
    /// T4: a value fails `format`.
    SchemaFormat = "schema_format",
    /// T4: a value fails `enum`.
    SchemaEnum = "schema_enum",
    /// T4: a value fails `const`.
    SchemaConst = "schema_const",
    /// T4: a value fails `minimum`.
    SchemaMinimum = "schema_minimum",
    /// T4: a value fails `maximum`.
    SchemaMaximum = "schema_maximum",
    /// T4: a value fails `exclusiveMinimum`.
    SchemaExclusiveMinimum = "schema_exclusive_minimum",
    /// T4: a value fails `exclusiveMaximum`.
    SchemaExclusiveMaximum = "schema_exclusive_maximum",
    /// T4: a value fails `multipleOf`.
    SchemaMultipleOf = "schema_multiple_of",
    /// T4: a value fails `minLength`.
    SchemaMinLength = "schema_min_length",
    /// T4: a value fails `maxLength`.
    SchemaMaxLength = "schema_max_length",
    /// T4: a value fails `minItems`.
    SchemaMinItems = "schema_min_items",
    /// T4: a value fails `maxItems`.
    SchemaMaxItems = "schema_max_items",
    /// T4: a value fails `uniqueItems`.
    SchemaUniqueItems = "schema_unique_items",
    /// T4: a value fails `contains`.
    SchemaContains = "schema_contains",
    /// T4: a value fails `minProperties`.
    SchemaMinProperties = "schema_min_properties",
    /// T4: a value fails `maxProperties`.
    SchemaMaxProperties = "schema_max_properties",
    /// T4: a value fails `additionalProperties`.
    SchemaAdditionalProperties = "schema_additional_properties",
    /// T4: a value fails `additionalItems`.
    SchemaAdditionalItems = "schema_additional_items",
    /// T4: a value fails `unevaluatedProperties`.
    SchemaUnevaluatedProperties = "schema_unevaluated_properties",
    /// T4: a value fails `unevaluatedItems`.
    SchemaUnevaluatedItems = "schema_unevaluated_items",
    /// T4: a value fails `propertyNames`.
    SchemaPropertyNames = "schema_property_names",
    /// T4: a value fails `anyOf`.
    SchemaAnyOf = "schema_any_of",
    /// T4: a value fails `oneOf`.
    SchemaOneOf = "schema_one_of",
    /// T4: a value fails `not`.
    SchemaNot = "schema_not",
    /// T4: a value fails `contentEncoding`.
    SchemaContentEncoding = "schema_content_encoding",
    /// T4: a value fails `contentMediaType`.
    SchemaContentMediaType = "schema_content_media_type",
    /// T4: a value meets a `false` schema (nothing is valid there).
    SchemaFalse = "schema_false",
    // P: tools and policy (section 6).
    /// P2: a tool the matrix does not list, with no default entry.
    UnknownTool = "unknown_tool",
    /// P2: a role the tool does not allow.
    RoleNotAllowed = "role_not_allowed",
    /// P2: the tool's calls per run are used up.
    MaxCallsExceeded = "max_calls_exceeded",
    /// P2: the tool is denied while offline.
    Offline = "offline",
    /// P1: an approval tier other than `none`, `user`, `admin`.
    UnknownApprovalTier = "unknown_approval_tier",
    /// P1: an offline behaviour other than `allow`, `queue`, `deny`.
    UnknownOfflineBehaviour = "unknown_offline_behaviour",
    /// P1: a list that must not be empty (a tool's `roles`).
    EmptyList = "empty_list",
    // R: runs and the event log (section 7).
    /// R4: sequence numbers not strictly increasing, or `run.started` not first.
    OutOfOrder = "out_of_order",
    /// R4: an event after `run.completed` or `run.failed`.
    AfterTerminal = "after_terminal",
    /// R4: an event of another run in the log.
    RunMismatch = "run_mismatch",
    // K, H, M: connectors, threads, marketplace (docs/rules.md sections 10–12).
    /// K2: an install event type other than `health`, `refresh`, `reinstall`, `uninstall`.
    UnknownEvent = "unknown_event",
    /// H1, M4: text longer than its limit.
    TooLong = "too_long",
    /// H1: a control character (a line break included) where one line of text is expected.
    ControlCharacter = "control_character",
    /// H3: a value repeated in a list of distinct values.
    DuplicateValue = "duplicate_value",
    /// M1: a package id that is not `name` or `scope/name`.
    InvalidPackageId = "invalid_package_id",
    /// M2: a package the tenant's guardrails deny.
    PackageDenied = "package_denied",
    /// M2: a package not on the tenant's allow list.
    PackageNotAllowed = "package_not_allowed",
    /// M3: an entitlement a package needs and the tenant lacks.
    MissingEntitlement = "missing_entitlement",
    /// M4: text that is not a Git repository URL.
    InvalidUrl = "invalid_url",
    /// M4: a URL scheme other than https or ssh.
    UnsupportedScheme = "unsupported_scheme",
    /// M4: a user name, password or token inside a URL.
    CredentialsInUrl = "credentials_in_url",
    /// M4: a Git ref that `git check-ref-format` would refuse.
    InvalidRef = "invalid_ref",
    // Limits of a report.
    /// The last entry of a report that found more than [`MAX_VIOLATIONS`] violations (at `""`):
    /// the first [`MAX_VIOLATIONS`] are listed, the rest are not.
    TooManyViolations = "too_many_violations",
}

/// The most violations one report lists. A report that found more lists these, then one
/// `too_many_violations` entry at `""`, so that a hostile document cannot make a report (and
/// the memory and text it needs on every surface) grow with the document.
pub const MAX_VIOLATIONS: usize = 1000;

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a checked document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Violation {
    /// RFC 6901 JSON Pointer into the checked document (`""` is the whole document).
    pub path: String,
    /// The stable code (`docs/rules.md` names the rule that reports it).
    pub code: Code,
    /// An English sentence for people: lowercase start, no trailing period, user input in
    /// backticks and never longer than a short excerpt.
    pub message: String,
}

impl Violation {
    /// A violation at `path`.
    pub fn new(path: &Pointer, code: Code, message: impl Into<String>) -> Self {
        Violation { path: path.to_string(), code, message: message.into() }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() { "(document)" } else { &self.path };
        write!(f, "{path}: {} [{}]", self.message, self.code)
    }
}

/// The outcome of a check: `ok` is true exactly when there are no violations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Report {
    /// True when `violations` is empty.
    pub ok: bool,
    /// Every violation, in document order.
    pub violations: Vec<Violation>,
}

impl Report {
    /// A report of these violations: at most [`MAX_VIOLATIONS`] of them, then a
    /// `too_many_violations` entry when there were more.
    pub fn new(mut violations: Vec<Violation>) -> Self {
        cap(&mut violations);
        Report { ok: violations.is_empty(), violations }
    }

    /// The report as the JSON every surface prints: `{"ok": bool, "violations": [...]}`.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, bools and enums cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"ok\":false,\"violations\":[]}"))
    }
}

impl From<Vec<Violation>> for Report {
    fn from(v: Vec<Violation>) -> Self {
        Report::new(v)
    }
}

/// Cuts a list of violations to [`MAX_VIOLATIONS`], ending it with the `too_many_violations`
/// entry when it was longer (a list already cut is left as it is).
pub fn cap(violations: &mut Vec<Violation>) {
    if violations.len() > MAX_VIOLATIONS
        && violations.get(MAX_VIOLATIONS).map(|v| v.code) != Some(Code::TooManyViolations)
    {
        violations.truncate(MAX_VIOLATIONS);
        violations.push(Violation::new(
            &Pointer::root(),
            Code::TooManyViolations,
            format!("more than {MAX_VIOLATIONS} violations were found; the first {MAX_VIOLATIONS} are listed"),
        ));
    }
    violations.truncate(MAX_VIOLATIONS.saturating_add(1));
}

/// Collects violations while a check walks a document. It keeps at most one more than
/// [`MAX_VIOLATIONS`] (so [`Report::new`] can tell there were more), whatever the document.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) out: Vec<Violation>,
}

impl Sink {
    pub(crate) fn push(&mut self, path: &Pointer, code: Code, message: impl Into<String>) {
        if !self.is_full() {
            self.out.push(Violation::new(path, code, message));
        }
    }

    /// True once the sink holds more than [`MAX_VIOLATIONS`]: further violations are dropped.
    pub(crate) fn is_full(&self) -> bool {
        self.out.len() > MAX_VIOLATIONS
    }

    /// Adds violations found elsewhere, within the same bound.
    pub(crate) fn extend(&mut self, violations: impl IntoIterator<Item = Violation>) {
        for v in violations {
            if self.is_full() {
                break;
            }
            self.out.push(v);
        }
    }
}

/// Runs a reader that collects violations: its value when there are none, else the report.
pub(crate) fn collect<T>(read: impl FnOnce(&mut Sink) -> T) -> Result<T, Report> {
    let mut sink = Sink::default();
    let t = read(&mut sink);
    if sink.out.is_empty() {
        Ok(t)
    } else {
        Err(Report::new(sink.out))
    }
}

/// A size for people: bytes below 1 KiB, else one decimal of KiB, MiB or GiB and the exact
/// count with thousands separators (integer arithmetic only: no float formatting in the small
/// browser entry).
///
/// ```
/// use agentrules::report::readable_bytes;
/// assert_eq!(readable_bytes(512), "512 bytes");
/// assert_eq!(readable_bytes(20_971_520), "20.0 MiB (20,971,520 bytes)");
/// assert_eq!(readable_bytes(22_020_096), "21.0 MiB (22,020,096 bytes)");
/// assert_eq!(readable_bytes(1536), "1.5 KiB (1,536 bytes)");
/// ```
pub fn readable_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    let Some(&(unit, name)) = UNITS.iter().find(|(u, _)| n >= *u) else {
        return format!("{n} bytes");
    };
    // Tenths of the unit, rounded half up.
    let tenths = u128::from(n)
        .saturating_mul(10)
        .saturating_add(u128::from(unit / 2))
        .checked_div(u128::from(unit))
        .unwrap_or_default();
    format!("{}.{} {name} ({} bytes)", tenths / 10, tenths % 10, thousands(n))
}

/// `n` with `,` between groups of three digits.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len().saturating_add(digits.len() / 3));
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len().saturating_sub(i)) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A user-supplied string quoted for a message: in backticks, cut to a short excerpt so that no
/// secret or 20 MB blob ever lands in a message.
pub fn quote(s: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::with_capacity(MAX.min(s.len()).saturating_add(8));
    out.push('`');
    let mut chars = s.chars();
    for c in chars.by_ref().take(MAX) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('`');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert_eq!(Code::from_name(c.as_str()), Some(*c));
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn quote_truncates_and_escapes() {
        assert_eq!(quote("abc"), "`abc`");
        assert_eq!(quote("a\nb"), "`a\\nb`");
        let long = "x".repeat(1000);
        assert!(quote(&long).chars().count() < 50);
    }
}
