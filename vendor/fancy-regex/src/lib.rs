//! A stand-in for `fancy-regex`: the API jsonschema calls, over the linear-time `regex` engine.
//! agentrules runs every schema pattern on `regex` (`PatternOptions::regex()`), so jsonschema's
//! fancy-regex paths run only for its own meta-schemas' patterns, which `regex` compiles; a
//! pattern with look-around or a back-reference does not compile here.
use std::fmt;

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex(regex::Regex);

impl Regex {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        RegexBuilder::new(pattern).build()
    }
    /// The pattern's text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    /// Whether `text` has a match (never an error: the engine has no backtracking limit).
    pub fn is_match(&self, text: &str) -> Result<bool, Error> {
        Ok(self.0.is_match(text))
    }
}

/// Builds a [`Regex`] with limits.
#[derive(Debug)]
pub struct RegexBuilder(regex::RegexBuilder);

impl RegexBuilder {
    /// A builder of `pattern`.
    pub fn new(pattern: &str) -> RegexBuilder {
        RegexBuilder(regex::RegexBuilder::new(pattern))
    }
    /// No effect: the engine does not backtrack.
    pub fn backtrack_limit(&mut self, _limit: usize) -> &mut RegexBuilder {
        self
    }
    /// The compiled size limit.
    pub fn delegate_size_limit(&mut self, limit: usize) -> &mut RegexBuilder {
        self.0.size_limit(limit);
        self
    }
    /// The lazy DFA's cache limit.
    pub fn delegate_dfa_size_limit(&mut self, limit: usize) -> &mut RegexBuilder {
        self.0.dfa_size_limit(limit);
        self
    }
    /// Compiles the pattern.
    pub fn build(&self) -> Result<Regex, Error> {
        self.0.build().map(Regex).map_err(Error)
    }
}

/// Why a pattern did not compile.
#[derive(Clone, Debug)]
pub struct Error(regex::Error);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}
