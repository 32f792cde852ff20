//! The one report shape: [`Violation`] `{ path, code, message, params }` inside a [`Report`] `{ ok, violations }`.
//!
//! [`Code`] is the single source of truth for the stable snake_case codes of the rule catalogue
//! (`docs/rules.md`). Every binding derives its own list (TypeScript union, Python `Literal`,
//! Kotlin/Swift enum) from [`Code::ALL`] and checks itself against it.

use serde::{Deserialize, Serialize};

pub use crate::params::{Param, ParamSpec, ParamType, Params};
use crate::pointer::Pointer;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal
        ( $( $rk:ident : $rt:ident ),* $( ; $( $ok:ident : $ot:ident ),* )? ) $template:literal ),+ $(,)?) => {
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

            /// The keys of this code's [`Params`]: each with its type, the required ones first.
            /// Every violation of the code carries the required keys and no key not listed.
            pub fn params(self) -> &'static [ParamSpec] {
                match self { $( Code::$variant => &[
                    $( ParamSpec { name: stringify!($rk), ty: ParamType::$rt, required: true }, )*
                    $( $( ParamSpec { name: stringify!($ok), ty: ParamType::$ot, required: false }, )* )?
                ], )+ }
            }

            /// An English message template over the code's params: `{key}` stands for a
            /// required param (see [`Code::render`]). A violation's own `message` says more
            /// (the value at fault, the reason); the template is what a translation starts from.
            pub const fn template(self) -> &'static str {
                match self { $( Code::$variant => $template, )+ }
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
    InvalidJson = "invalid_json" (; offset: Integer) "the input is not valid JSON",
    /// A name repeated within one JSON object (reported once, at the repeat): refused, because
    /// parsers disagree on which value wins.
    DuplicateField = "duplicate_field" (field: Text) "`{field}` appears twice in one object; send each field once",
    /// A document longer than `limits.maxDocumentBytes` (reported once, at `""`).
    DocumentTooLarge = "document_too_large" (; bytes: Integer, maxBytes: Integer, maxValues: Integer) "the document is larger than the limit",
    /// A value of the wrong JSON type.
    TypeMismatch = "type_mismatch" (expected: List, found: Text) "the value is of type {found}; expected {expected}",
    /// A missing required field.
    Required = "required" (field: Text) "`{field}` is required",
    /// An object field this request shape does not have.
    UnknownField = "unknown_field" (field: Text; allowed: List) "`{field}` is not a field here",
    /// A string that is not a canonical 8-4-4-4-12 UUID.
    InvalidUuid = "invalid_uuid" () "the value is not a UUID (8-4-4-4-12 hexadecimal)",
    /// A number outside its allowed range.
    OutOfRange = "out_of_range" (; min: Number, max: Number) "the number is out of range",
    /// A string that is empty or only whitespace where text is required.
    EmptyText = "empty_text" () "the text must not be blank",
    // S: lifecycle.
    /// S2: a status change that the lifecycle does not allow.
    InvalidTransition = "invalid_transition" (from: Text; to: Text, event: Text) "this change is not allowed from `{from}`",
    /// S3: an operation not allowed in the agent's current status (HTTP 409).
    InvalidState = "invalid_state" (; status: Text) "this is not allowed in the current status",
    // L: launch and follow-up.
    /// L2: neither `prompt.text` nor `workflowId`.
    MissingPromptOrWorkflow = "missing_prompt_or_workflow" () "give a prompt text or a workflow",
    /// L4, L5: a simple-agent field sent with `workflowId`.
    NotAllowedWithWorkflow = "not_allowed_with_workflow" (field: Text) "`{field}` cannot be sent with a workflow",
    /// L4: an id repeated in a list.
    DuplicateId = "duplicate_id" () "the id appears more than once in the list",
    /// L6: `workflowInputs` without `workflowId`.
    RequiresWorkflow = "requires_workflow" () "workflow inputs need a workflow",
    /// L7: `prompt` together with `workflowInputs`.
    PromptWithWorkflowInputs = "prompt_with_workflow_inputs" () "a prompt cannot be sent together with workflow inputs",
    /// L8: `prompt` for a workflow that declares file-input slots.
    PromptNotAccepted = "prompt_not_accepted" () "this workflow takes files in its slots, not a prompt",
    /// L8: a declared slot missing from `workflowInputs`.
    MissingSlot = "missing_slot" (slot: Text) "the workflow input `{slot}` is missing",
    /// L8: a `workflowInputs` key that is no declared slot.
    UnknownSlot = "unknown_slot" (slot: Text; allowed: List) "the workflow has no input `{slot}`",
    /// L8: `null` or an empty list for a required slot.
    SlotRequired = "slot_required" (slot: Text) "the workflow input `{slot}` needs at least one file",
    /// L8: a slot name the workflow declares more than once.
    AmbiguousSlot = "ambiguous_slot" (slot: Text) "the workflow declares the input `{slot}` more than once",
    /// L8: the context's workflow definition is for another workflow.
    WorkflowMismatch = "workflow_mismatch" () "the workflow definition is for another workflow",
    /// L9: `workflowInputs` for a prompt-driven workflow.
    InputsNotAccepted = "inputs_not_accepted" () "this workflow takes a prompt, not workflow inputs",
    // I: images.
    /// I1: more images than the limit.
    TooManyImages = "too_many_images" (count: Integer, max: Integer) "{count} images given; at most {max} are allowed",
    /// I3: a media type that is not jpeg, png, webp or gif.
    UnsupportedMediaType = "unsupported_media_type" (allowed: List) "the media type is not supported",
    /// I4: a `data:` URL where raw base64 is expected.
    DataUrlNotAllowed = "data_url_not_allowed" () "image data must be raw base64, not a data: URL",
    /// I4: text that is not standard, padded base64.
    InvalidBase64 = "invalid_base64" () "the image data is not standard, padded base64",
    /// I5: an image larger than the limit once decoded.
    ImageTooLarge = "image_too_large" (bytes: Integer, maxBytes: Integer) "the image is {bytes} bytes once decoded; at most {maxBytes} are allowed",
    /// I6: bytes that do not start with the declared type's signature.
    MediaTypeMismatch = "media_type_mismatch" (declared: Text; found: Text) "the image is not the {declared} it is declared as",
    // C: capabilities.
    /// C1: a capability that does not exist.
    UnknownCapability = "unknown_capability" (capability: Text; allowed: List) "`{capability}` is not a capability",
    /// C4: a capability the organisation is not entitled to.
    CapabilityNotEntitled = "capability_not_entitled" (capability: Text) "the organisation is not entitled to `{capability}`",
    // Q: listing and reading.
    /// Q1: a status filter that is no agent status.
    UnknownStatus = "unknown_status" (allowed: List) "the status is not one of the allowed values",
    /// Q2: an `include` item other than `steps`.
    UnknownInclude = "unknown_include" (allowed: List) "the include is not one of the allowed values",
    // E: errors and authentication (decided codes for E3).
    /// E3: an `Authorization` header that is not `Bearer <token>`.
    InvalidAuthorization = "invalid_authorization" () "expected `Bearer <token>`",
    /// E3: an Agent API key that does not start with `npk_`.
    InvalidApiKey = "invalid_api_key" () "an Agent API key starts with `npk_`",
    /// E3: an `X-Nome-Client-Version` that is not a semantic version.
    InvalidVersion = "invalid_version" () "the value is not a semantic version such as 1.4.2",
    // T: artifacts and tables (section 4).
    /// T3: a schema that is not a valid JSON Schema.
    InvalidSchema = "invalid_schema" () "the schema is not a valid JSON Schema",
    /// T3: a table schema whose root does not describe objects.
    SchemaNotObject = "schema_not_object" () "a table schema must describe objects",
    /// T3: a `$ref` that cannot be resolved without I/O.
    UnresolvableRef = "unresolvable_ref" () "the schema refers to something it does not contain",
    /// T4: an element key repeated in a table.
    DuplicateKey = "duplicate_key" () "two elements of the table have the same key",
    /// T4: a value fails `type`.
    SchemaType = "schema_type" (keyword: Text, expected: List) "the value is not of the type the schema allows",
    /// T4: a value fails `required`.
    SchemaRequired = "schema_required" (keyword: Text, field: Text) "`{field}` is required by the schema",
    /// T4: a value fails `pattern`.
    SchemaPattern = "schema_pattern" (keyword: Text) "the text does not match the schema's pattern",
    /// T4: a value fails `format`.
    SchemaFormat = "schema_format" (keyword: Text, format: Text) "the value is not a valid {format}",
    /// T4: a value fails `enum`.
    SchemaEnum = "schema_enum" (keyword: Text) "the value is not one of the schema's allowed values",
    /// T4: a value fails `const`.
    SchemaConst = "schema_const" (keyword: Text) "the value is not the schema's constant",
    /// T4: a value fails `minimum`.
    SchemaMinimum = "schema_minimum" (keyword: Text, limit: Number) "the number is less than {limit}",
    /// T4: a value fails `maximum`.
    SchemaMaximum = "schema_maximum" (keyword: Text, limit: Number) "the number is greater than {limit}",
    /// T4: a value fails `exclusiveMinimum`.
    SchemaExclusiveMinimum = "schema_exclusive_minimum" (keyword: Text, limit: Number) "the number must be greater than {limit}",
    /// T4: a value fails `exclusiveMaximum`.
    SchemaExclusiveMaximum = "schema_exclusive_maximum" (keyword: Text, limit: Number) "the number must be less than {limit}",
    /// T4: a value fails `multipleOf`.
    SchemaMultipleOf = "schema_multiple_of" (keyword: Text, limit: Number) "the number is not a multiple of {limit}",
    /// T4: a value fails `minLength`.
    SchemaMinLength = "schema_min_length" (keyword: Text, limit: Integer) "the text is shorter than {limit} characters",
    /// T4: a value fails `maxLength`.
    SchemaMaxLength = "schema_max_length" (keyword: Text, limit: Integer) "the text is longer than {limit} characters",
    /// T4: a value fails `minItems`.
    SchemaMinItems = "schema_min_items" (keyword: Text, limit: Integer) "the list has fewer than {limit} items",
    /// T4: a value fails `maxItems`.
    SchemaMaxItems = "schema_max_items" (keyword: Text, limit: Integer) "the list has more than {limit} items",
    /// T4: a value fails `uniqueItems`.
    SchemaUniqueItems = "schema_unique_items" (keyword: Text) "the list holds the same item twice",
    /// T4: a value fails `contains`.
    SchemaContains = "schema_contains" (keyword: Text) "the list holds no item the schema asks for",
    /// T4: a value fails `minProperties`.
    SchemaMinProperties = "schema_min_properties" (keyword: Text, limit: Integer) "the object has fewer than {limit} fields",
    /// T4: a value fails `maxProperties`.
    SchemaMaxProperties = "schema_max_properties" (keyword: Text, limit: Integer) "the object has more than {limit} fields",
    /// T4: a value fails `additionalProperties`.
    SchemaAdditionalProperties = "schema_additional_properties" (keyword: Text) "the object has fields the schema does not allow",
    /// T4: a value fails `additionalItems`.
    SchemaAdditionalItems = "schema_additional_items" (keyword: Text) "the list has more items than the schema allows",
    /// T4: a value fails `unevaluatedProperties`.
    SchemaUnevaluatedProperties = "schema_unevaluated_properties" (keyword: Text) "the object has fields the schema does not describe",
    /// T4: a value fails `unevaluatedItems`.
    SchemaUnevaluatedItems = "schema_unevaluated_items" (keyword: Text) "the list has items the schema does not describe",
    /// T4: a value fails `propertyNames`.
    SchemaPropertyNames = "schema_property_names" (keyword: Text) "a field name does not match the schema",
    /// T4: a value fails `anyOf`.
    SchemaAnyOf = "schema_any_of" (keyword: Text) "the value matches none of the schema's alternatives",
    /// T4: a value fails `oneOf`.
    SchemaOneOf = "schema_one_of" (keyword: Text) "the value must match exactly one of the schema's alternatives",
    /// T4: a value fails `not`.
    SchemaNot = "schema_not" (keyword: Text) "the value matches a schema it must not match",
    /// T4: a value fails `contentEncoding`.
    SchemaContentEncoding = "schema_content_encoding" (keyword: Text) "the text is not in the schema's encoding",
    /// T4: a value fails `contentMediaType`.
    SchemaContentMediaType = "schema_content_media_type" (keyword: Text) "the text is not of the schema's media type",
    /// T4: a value meets a `false` schema (nothing is valid there).
    SchemaFalse = "schema_false" (keyword: Text) "the schema allows no value here",
    // P: tools and policy (section 6).
    /// P2: a tool the matrix does not list, with no default entry.
    UnknownTool = "unknown_tool" () "the tool is not in the policy matrix",
    /// P2: a role the tool does not allow.
    RoleNotAllowed = "role_not_allowed" (; role: Text, tier: Text) "the role may not do this",
    /// P2: the tool's calls per run are used up.
    MaxCallsExceeded = "max_calls_exceeded" () "the tool has made as many calls as it may",
    /// P2: the tool is denied while offline.
    Offline = "offline" () "the tool cannot run while offline",
    /// P1: an approval tier other than `none`, `user`, `admin`.
    UnknownApprovalTier = "unknown_approval_tier" (allowed: List) "the approval tier is not one of the allowed values",
    /// P1: an offline behaviour other than `allow`, `queue`, `deny`.
    UnknownOfflineBehaviour = "unknown_offline_behaviour" (allowed: List) "the offline behaviour is not one of the allowed values",
    /// P1: a list that must not be empty (a tool's `roles`).
    EmptyList = "empty_list" () "the list must not be empty",
    // R: runs and the event log (section 7).
    /// R4: sequence numbers not strictly increasing, or `run.started` not first.
    OutOfOrder = "out_of_order" () "the event is out of order",
    /// R4: an event after `run.completed` or `run.failed`.
    AfterTerminal = "after_terminal" () "nothing may follow the run's last event",
    /// R4: an event of another run in the log.
    RunMismatch = "run_mismatch" () "the event belongs to another run",
    // K, H, M: connectors, threads, marketplace (docs/rules.md sections 10–12).
    /// K2: an install event type other than `health`, `refresh`, `reinstall`, `uninstall`.
    UnknownEvent = "unknown_event" (allowed: List) "the event is not one of the allowed values",
    /// H1, M4: text longer than its limit.
    TooLong = "too_long" (length: Integer, max: Integer) "{length} is longer than the limit of {max}",
    /// H1: a control character (a line break included) where one line of text is expected.
    ControlCharacter = "control_character" () "the text holds a control character",
    /// H3: a value repeated in a list of distinct values.
    DuplicateValue = "duplicate_value" () "the value appears more than once in the list",
    /// M1: a package id that is not `name` or `scope/name`.
    InvalidPackageId = "invalid_package_id" () "the value is not a package id",
    /// M2: a package the tenant's guardrails deny.
    PackageDenied = "package_denied" (pattern: Text) "the tenant's guardrails deny this package (pattern `{pattern}`)",
    /// M2: a package not on the tenant's allow list.
    PackageNotAllowed = "package_not_allowed" () "the package is not on the tenant's allow list",
    /// M3: an entitlement a package needs and the tenant lacks.
    MissingEntitlement = "missing_entitlement" (entitlement: Text) "the package needs the entitlement `{entitlement}`",
    /// M4: text that is not a Git repository URL.
    InvalidUrl = "invalid_url" () "the value is not a Git repository URL",
    /// M4: a URL scheme other than https or ssh.
    UnsupportedScheme = "unsupported_scheme" (allowed: List) "the URL's scheme is not supported",
    /// M4: a user name, password or token inside a URL.
    CredentialsInUrl = "credentials_in_url" () "the URL must not carry a credential",
    /// M4: a Git ref that `git check-ref-format` would refuse.
    InvalidRef = "invalid_ref" () "the value is not a Git branch, tag or commit name",
    // Limits of a report.
    /// The last entry of a report that found more than [`MAX_VIOLATIONS`] violations (at `""`):
    /// the first [`MAX_VIOLATIONS`] are listed, the rest are not.
    TooManyViolations = "too_many_violations" (max: Integer) "more than {max} violations were found; the first {max} are listed",
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
///
/// Read back from JSON (an op's arguments, a stored report), a violation without `params` has
/// none (`{}`): a report written before params existed, or by hand, still reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Violation {
    /// RFC 6901 JSON Pointer into the checked document (`""` is the whole document).
    pub path: String,
    /// The stable code (`docs/rules.md` names the rule that reports it).
    pub code: Code,
    /// An English sentence for people: lowercase start, no trailing period, user input in
    /// backticks and never longer than a short excerpt.
    pub message: String,
    /// The facts a UI needs (limits, counts, sizes, the field or slot, the allowed values): the
    /// keys [`Code::params`] lists for `code`, a JSON object (`{}` when the code has none).
    // The schema's reader has no rustdoc: the same words, pointing at the generated list.
    #[cfg_attr(
        feature = "schema",
        schemars(
            description = "The facts a UI needs (limits, counts, sizes, the field or slot, the allowed values): the keys docs/codes.md lists for `code`, a JSON object (`{}` when the code has none)."
        )
    )]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, number | string | string[]>"))]
    pub params: Params,
}

impl Violation {
    /// A violation at `path`. Where the path's last token is the fact, it is set here: `field`
    /// for `required`, `unknown_field`, `duplicate_field` and `not_allowed_with_workflow`; `slot`
    /// for `missing_slot`, `unknown_slot`, `slot_required` and `ambiguous_slot`; `capability`
    /// for `unknown_capability` and `capability_not_entitled`. Other params are added with
    /// [`Violation::with`].
    pub fn new(path: &Pointer, code: Code, message: impl Into<String>) -> Self {
        Violation { path: path.to_string(), code, message: message.into(), params: path_params(path, code) }
    }

    /// This violation with `params` added (a key given twice keeps the later value).
    #[must_use]
    pub fn with(mut self, params: Params) -> Self {
        for (k, v) in params {
            self.params.set(&k, v);
        }
        self
    }

    /// Whether the params have the shape [`Code::params`] documents: every required key, no
    /// other key, each of its type, and text no longer than an excerpt. `Err` names the first
    /// difference.
    pub fn check_params(&self) -> Result<(), String> {
        let spec = self.code.params();
        for s in spec.iter().filter(|s| s.required) {
            if !self.params.contains(s.name) {
                return Err(format!("{}: the required param `{}` is missing", self.code, s.name));
            }
        }
        for (k, v) in self.params.iter() {
            let Some(s) = spec.iter().find(|s| s.name == k) else {
                return Err(format!("{}: `{k}` is not a param of this code", self.code));
            };
            if !s.ty.admits(v) {
                return Err(format!("{}: `{k}` is not of type {}", self.code, s.ty.as_str()));
            }
            let long = |t: &String| t.chars().count() > crate::params::MAX_TEXT_PARAM.saturating_add(1);
            match v {
                Param::Text(t) if long(t) => return Err(format!("{}: `{k}` is longer than an excerpt", self.code)),
                Param::Names(l) if l.iter().any(long) => {
                    return Err(format!("{}: an item of `{k}` is longer than an excerpt", self.code));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// One code as `codes()` lists it on every surface: its name, the message template and the
/// params a violation of it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// [`Code::template`].
    pub template: String,
    /// [`Code::params`].
    pub params: Vec<ParamInfo>,
}

/// One param of a [`CodeInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ParamInfo {
    /// The key.
    pub name: String,
    /// `integer`, `number`, `text` or `list` ([`ParamType::as_str`]).
    #[serde(rename = "type")]
    #[cfg_attr(feature = "wasm", tsify(type = "'integer' | 'number' | 'text' | 'list'"))]
    pub ty: String,
    /// True when every violation of the code carries it.
    pub required: bool,
}

impl Code {
    /// The code's name, template and params, as `codes()` lists them.
    ///
    /// ```
    /// use agentrules::Code;
    /// let info = Code::TooManyImages.info();
    /// assert_eq!(info.template, "{count} images given; at most {max} are allowed");
    /// assert_eq!(info.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["count", "max"]);
    /// ```
    pub fn info(self) -> CodeInfo {
        CodeInfo {
            code: self,
            template: self.template().to_string(),
            params: self
                .params()
                .iter()
                .map(|p| ParamInfo { name: p.name.to_string(), ty: p.ty.as_str().to_string(), required: p.required })
                .collect(),
        }
    }

    /// Every code's [`CodeInfo`], in catalogue order.
    pub fn catalogue() -> Vec<CodeInfo> {
        Code::ALL.iter().map(|c| c.info()).collect()
    }

    /// `docs/codes.md`: every code with its params and template, as a Markdown table
    /// (`agentrules codes --format markdown`; a test keeps the committed file equal to it).
    pub fn catalogue_markdown() -> String {
        let mut out = String::from(
            "# Violation codes, their params and templates\n\n\
             Generated by `./scripts/gen-schemas` from the core (`agentrules codes --format markdown`); \
             a test fails when it drifts. Do not edit.\n\n\
             Every violation carries `params`, a JSON object with the keys below: an `integer`, a \
             `number`, a `text` (at most 40 characters of the input) or a `list` of texts. A key \
             marked *optional* is present when the check knows the fact. The template is English \
             over the required params; a violation's `message` says more. See \
             [rules.md](rules.md#conventions) for the conventions.\n\n\
             | code | params | template |\n|---|---|---|\n",
        );
        for c in Code::ALL {
            let params: Vec<String> = c
                .params()
                .iter()
                .map(|p| format!("`{}`: {}{}", p.name, p.ty.as_str(), if p.required { "" } else { " (*optional*)" }))
                .collect();
            let params = if params.is_empty() { "none".to_string() } else { params.join(", ") };
            out.push_str(&format!("| `{c}` | {params} | {} |\n", c.template().replace('|', "\\|")));
        }
        out
    }

    /// The code's [`template`](Code::template) with each `{key}` replaced by that param of
    /// `params` (numbers as digits, lists joined by `, `); a key `params` lacks stays as it is.
    ///
    /// ```
    /// use agentrules::{Code, report::Params};
    /// let p = Params::new().int("count", 5).int("max", 4);
    /// assert_eq!(Code::TooManyImages.render(&p), "5 images given; at most 4 are allowed");
    /// ```
    pub fn render(self, params: &Params) -> String {
        let mut out = self.template().to_string();
        for (k, v) in params.iter() {
            let value = match v {
                Param::Integer(n) => n.to_string(),
                Param::Number(x) => x.to_string(),
                Param::Text(t) => t.clone(),
                Param::Names(l) => l.join(", "),
            };
            out = out.replace(&format!("{{{k}}}"), &value);
        }
        out
    }
}

impl<'de> Deserialize<'de> for Violation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The serialised shape, with `params` optional.
        #[derive(Deserialize)]
        struct Read {
            path: String,
            code: Code,
            message: String,
            #[serde(default)]
            params: Params,
        }
        let Read { path, code, message, params } = Read::deserialize(d)?;
        Ok(Violation { path, code, message, params })
    }
}

/// The params [`Violation::new`] takes from the path (one function, not one per message type).
fn path_params(path: &Pointer, code: Code) -> Params {
    let key = match code {
        Code::Required | Code::UnknownField | Code::DuplicateField | Code::NotAllowedWithWorkflow => "field",
        Code::MissingSlot | Code::UnknownSlot | Code::SlotRequired | Code::AmbiguousSlot => "slot",
        Code::UnknownCapability | Code::CapabilityNotEntitled => "capability",
        _ => return Params::new(),
    };
    Params::new().text(key, &path.last().unwrap_or_default())
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Report {
    /// True when `violations` is empty.
    pub ok: bool,
    /// Every violation, in document order.
    pub violations: Vec<Violation>,
}

/// The JSON Schema (draft 2020-12) of a report `{ ok, violations }` as every surface writes it,
/// generated from [`Report`].
#[cfg(feature = "schema")]
pub fn report_schema() -> serde_json::Value {
    crate::launch::schema_of::<Report>()
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
        violations.push(
            Violation::new(
                &Pointer::root(),
                Code::TooManyViolations,
                format!("more than {MAX_VIOLATIONS} violations were found; the first {MAX_VIOLATIONS} are listed"),
            )
            .with(Params::new().int("max", MAX_VIOLATIONS)),
        );
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

    /// [`Sink::push`] with params.
    pub(crate) fn push_with(&mut self, path: &Pointer, code: Code, message: impl Into<String>, params: Params) {
        if !self.is_full() {
            self.out.push(Violation::new(path, code, message).with(params));
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

/// Names for a message: `a`, `a or b`, `a, b or c`.
///
/// ```
/// assert_eq!(agentrules::report::english_list(&["allow", "queue", "deny"]), "allow, queue or deny");
/// ```
pub fn english_list(items: &[&str]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A user-supplied string quoted for a message: in backticks, cut to a short excerpt so that no
/// secret or 20 MB blob ever lands in a message.
pub fn quote(s: &str) -> String {
    format!("`{}`", crate::params::excerpt(s))
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

    /// A template names only required params (a translation can always fill it), each code's
    /// keys are distinct, and rendering fills every placeholder.
    #[test]
    fn templates_name_required_params_only() {
        for c in Code::ALL {
            let spec = c.params();
            let mut names: Vec<&str> = spec.iter().map(|s| s.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), spec.len(), "{c}: a param listed twice");
            let t = c.template();
            for piece in t.split('{').skip(1) {
                let (key, _) = piece.split_once('}').unwrap_or_else(|| panic!("{c}: an unclosed placeholder"));
                assert!(spec.iter().any(|s| s.name == key && s.required), "{c}: `{{{key}}}` is no required param");
            }
            let mut p = Params::new();
            for s in spec.iter().filter(|s| s.required) {
                p.set(s.name, Param::Text("x".into()));
            }
            assert!(!c.render(&p).contains('{'), "{c}: a placeholder left after rendering");
            let first = t.chars().next().unwrap_or('?');
            assert!(!first.is_uppercase() && !t.ends_with('.'), "{c}: the template is out of house style");
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
