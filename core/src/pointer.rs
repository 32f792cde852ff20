//! RFC 6901 JSON Pointers, built segment by segment while a check walks a document.

use std::fmt;

/// A JSON Pointer (`""` is the whole document). Segments are escaped as RFC 6901 says:
/// `~` becomes `~0` and `/` becomes `~1`.
///
/// ```
/// use agentrules::Pointer;
/// let p = Pointer::root().key("workflowInputs").key("a/b~c").index(2);
/// assert_eq!(p.as_str(), "/workflowInputs/a~1b~0c/2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Pointer(String);

impl Pointer {
    /// The pointer to the whole document, `""`.
    pub fn root() -> Self {
        Pointer(String::new())
    }

    /// The pointer to member `key` of the object this pointer names. A key longer than
    /// [`MAX_SEGMENT_CHARS`] characters is written as its first [`MAX_SEGMENT_CHARS`] and `…`
    /// (see [`excerpt`]).
    pub fn key(&self, key: &str) -> Self {
        let key = excerpt(key);
        let mut s = String::with_capacity(self.0.len().saturating_add(key.len()).saturating_add(1));
        s.push_str(&self.0);
        s.push('/');
        push_escaped(&mut s, &key);
        Pointer(s)
    }

    /// The pointer to item `index` of the array this pointer names.
    pub fn index(&self, index: usize) -> Self {
        Pointer(format!("{}/{index}", self.0))
    }

    /// Appends an already-escaped pointer (e.g. a validator's instance location) to this one;
    /// its long segments are cut as [`Pointer::key`] cuts keys.
    pub fn join_escaped(&self, suffix: &str) -> Self {
        if suffix.len() <= MAX_SEGMENT_CHARS {
            return Pointer(format!("{}{suffix}", self.0));
        }
        let mut s = self.0.clone();
        for segment in suffix.split('/').skip(1) {
            s.push('/');
            let cut = excerpt(segment);
            // A cut between `~` and its digit would leave a broken escape.
            s.push_str(&cut.replace("~…", "…"));
        }
        Pointer(s)
    }

    /// The pointer text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last reference token, unescaped (`None` for the whole document).
    ///
    /// ```
    /// use agentrules::Pointer;
    /// assert_eq!(Pointer::root().key("a/b").last().as_deref(), Some("a/b"));
    /// assert_eq!(Pointer::root().last(), None);
    /// ```
    pub fn last(&self) -> Option<String> {
        let (_, token) = self.0.rsplit_once('/')?;
        Some(token.replace("~1", "/").replace("~0", "~"))
    }
}

/// The longest key a path names in full: a longer one (a hostile document's 100 KB object
/// name) is cut to this many characters and `…`, so that a report's size does not grow with
/// the keys of the document. Such a path names the key's place for people; it no longer
/// resolves as a pointer.
pub const MAX_SEGMENT_CHARS: usize = 256;

/// `key` as a path shows it: whole, or its first [`MAX_SEGMENT_CHARS`] characters and `…`.
///
/// ```
/// let long = "k".repeat(1000);
/// assert_eq!(agentrules::pointer::excerpt(&long).chars().count(), agentrules::pointer::MAX_SEGMENT_CHARS + 1);
/// assert_eq!(agentrules::pointer::excerpt("short"), "short");
/// ```
pub fn excerpt(key: &str) -> std::borrow::Cow<'_, str> {
    if key.len() <= MAX_SEGMENT_CHARS {
        return std::borrow::Cow::Borrowed(key);
    }
    match key.char_indices().nth(MAX_SEGMENT_CHARS) {
        Some((cut, _)) => {
            let mut s = key.get(..cut).unwrap_or_default().to_owned();
            s.push('…');
            std::borrow::Cow::Owned(s)
        }
        None => std::borrow::Cow::Borrowed(key),
    }
}

/// Escapes one reference token as RFC 6901 requires.
///
/// ```
/// assert_eq!(agentrules::pointer::escape("a/b~c"), "a~1b~0c");
/// ```
pub fn escape(token: &str) -> String {
    let mut s = String::with_capacity(token.len());
    push_escaped(&mut s, token);
    s
}

fn push_escaped(out: &mut String, token: &str) {
    // Most keys need no escaping: one scan, one copy (the profile of a launch check in wasm had
    // 9% of its time in the character loop below).
    if memchr::memchr2(b'~', b'/', token.as_bytes()).is_none() {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_in_the_rfc_order() {
        // `~1` must come out of `/`, and a literal `~1` in a key must become `~01`.
        assert_eq!(Pointer::root().key("~1").as_str(), "/~01");
        assert_eq!(Pointer::root().key("").as_str(), "/");
        assert_eq!(Pointer::root().key("Drawing Set").as_str(), "/Drawing Set");
        assert_eq!(Pointer::root().as_str(), "");
    }
}
