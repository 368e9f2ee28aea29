//! `$options` as the binding hands them over: each PHP value reduced to what
//! a setting or a function's own option can read, with PHP's name for its
//! type kept for the messages. The binding only converts; every check on
//! what was given is made here.

use super::{Input, Setting};
use crate::error::{Error, Result};
use crate::wire::Scalar;

/// One `$options` value.
#[derive(Clone, Debug, PartialEq)]
pub enum Given<'a> {
    Int(i64),
    Float(f64),
    /// A string's bytes, which need not be UTF-8.
    Text(&'a [u8]),
    /// An array's entries. Only the top level is read: an array inside one
    /// is `Other("array")` (no option nests deeper, and a self-referencing
    /// array must not recurse).
    Map(Vec<(Scalar<'a>, Given<'a>)>),
    /// Anything else, by PHP's name for its type (`bool`, `null`, a class).
    Other(String),
}

impl Given<'_> {
    /// PHP's name for the value's type, as its own TypeErrors write it.
    pub fn type_name(&self) -> &str {
        match self {
            Given::Int(_) => "int",
            Given::Float(_) => "float",
            Given::Text(_) => "string",
            Given::Map(_) => "array",
            Given::Other(name) => name,
        }
    }

    /// UTF-8 text; `what` names the value in the error.
    pub fn text(&self, what: &str) -> Result<String> {
        match self {
            Given::Text(b) => std::str::from_utf8(b)
                .map(str::to_string)
                .map_err(|_| Error::invalid(format!("{what} must be valid UTF-8"))),
            other => Err(Error::invalid(format!(
                "{what} must be a string, {} given",
                other.type_name()
            ))),
        }
    }

    /// An int, and nothing PHP would have to convert.
    pub fn int(&self, name: &str) -> Result<i64> {
        match self {
            Given::Int(n) => Ok(*n),
            other => Err(Error::invalid(format!(
                "option '{name}' must be an int, {} given",
                other.type_name()
            ))),
        }
    }

    /// Seconds as a number (an int or a float).
    pub fn seconds(&self, name: &str) -> Result<f64> {
        match self {
            Given::Int(n) => Ok(*n as f64),
            Given::Float(f) => Ok(*f),
            other => Err(Error::invalid(format!(
                "option '{name}' must be a number of seconds, {} given",
                other.type_name()
            ))),
        }
    }

    /// The value as `setting`'s parser reads it: the text of a string, and
    /// for seconds also of an int or a float (the parser checks the number).
    fn setting_text(&self, setting: &Setting) -> Result<String> {
        let name = setting.name;
        match (setting.input, self) {
            (Input::Text, given) => given.text(&format!("option '{name}'")),
            (Input::Seconds, Given::Int(n)) => Ok(n.to_string()),
            (Input::Seconds, Given::Float(f)) => Ok(f.to_string()),
            // Not UTF-8 is not a number either: the parser says so.
            (Input::Seconds, Given::Text(b)) => Ok(String::from_utf8_lossy(b).into_owned()),
            (Input::Seconds, other) => Err(Error::invalid(format!(
                "option '{name}' must be a number of seconds, {} given",
                other.type_name()
            ))),
            (Input::Count, Given::Int(n)) => Ok(n.to_string()),
            (Input::Count, Given::Text(b)) => Ok(String::from_utf8_lossy(b).into_owned()),
            (Input::Count, other) => Err(Error::invalid(format!(
                "option '{name}' must be an int, {} given",
                other.type_name()
            ))),
        }
    }
}

/// A call's `$options`, sorted: the settings, as text for their parsers,
/// and the keys that are the function's own, as given.
#[derive(Debug, Default)]
pub struct Options<'a> {
    pub settings: Vec<(&'static Setting, String)>,
    own: Vec<(&'static str, Given<'a>)>,
}

impl<'a> Options<'a> {
    /// Sorts `given` for a function whose own keys are `own`. An unknown key
    /// is refused (a typo must not silently fall back to a default), and
    /// the message lists both kinds of key.
    pub fn sort(given: Vec<(Scalar<'a>, Given<'a>)>, own: &[&'static str]) -> Result<Self> {
        let mut options = Options::default();
        for (key, value) in given {
            let mine = key.with_bytes(|k| own.iter().find(|o| o.as_bytes() == k).copied());
            if let Some(name) = mine {
                options.own.push((name, value));
                continue;
            }
            let setting = key.with_bytes(Setting::option).map_err(|e| {
                if own.is_empty() {
                    e
                } else {
                    e.note(&format!(" (and for this function: {})", own.join(", ")))
                }
            })?;
            options
                .settings
                .push((setting, value.setting_text(setting)?));
        }
        Ok(options)
    }

    /// The function's own key `name`, when it was given.
    pub(super) fn own(&self, name: &str) -> Option<&Given<'a>> {
        self.own.iter().find(|(n, _)| *n == name).map(|(_, g)| g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<impl std::fmt::Debug>) -> String {
        r.expect_err("an error").to_string()
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_named_with_its_php_type() {
        assert_eq!(
            message(Given::Text(b"a\xff").text("option 'goods'")),
            "option 'goods' must be valid UTF-8"
        );
        assert_eq!(
            message(Given::Int(1).text("option 'goods'")),
            "option 'goods' must be a string, int given"
        );
        assert_eq!(
            message(Given::Float(1.5).int("deadline")),
            "option 'deadline' must be an int, float given"
        );
        assert_eq!(
            message(Given::Text(b"5").seconds("max_seconds")),
            "option 'max_seconds' must be a number of seconds, string given"
        );
        assert_eq!(
            message(Given::Other("bool".into()).int("dead_limit")),
            "option 'dead_limit' must be an int, bool given"
        );
        assert_eq!(Given::Int(7).seconds("t").unwrap(), 7.0);
    }

    #[test]
    fn options_are_sorted_into_settings_and_the_functions_own_keys() {
        let given = vec![
            (Scalar::bytes(b"timeout"), Given::Int(3)),
            (Scalar::bytes(b"goods"), Given::Text(b"physical")),
            (Scalar::bytes(b"appid"), Given::Text(b"wx1")),
        ];
        let sorted = Options::sort(given, &["deadline", "goods"]).unwrap();
        let settings: Vec<(&str, &str)> = sorted
            .settings
            .iter()
            .map(|(s, v)| (s.name, v.as_str()))
            .collect();
        assert_eq!(settings, [("timeout", "3"), ("appid", "wx1")]);
        assert_eq!(sorted.own("goods"), Some(&Given::Text(b"physical")));
        assert_eq!(sorted.own("deadline"), None);
    }

    #[test]
    fn an_unknown_key_is_refused_with_both_lists_of_keys() {
        let typo = || vec![(Scalar::bytes(b"dedline"), Given::Int(1))];
        let with_own = message(Options::sort(typo(), &["deadline", "goods"]));
        assert!(with_own.starts_with("unknown option 'dedline'; the options are api_base, "));
        assert!(with_own.ends_with(" (and for this function: deadline, goods)"));
        let without = message(Options::sort(typo(), &[]));
        assert!(!without.contains("for this function"), "{without}");
        // An int key matches no name.
        let listed = vec![(Scalar::Int(0), Given::Int(1))];
        assert!(message(Options::sort(listed, &["goods"])).starts_with("unknown option '0'"));
    }

    #[test]
    fn a_setting_reads_seconds_from_numbers_and_text_from_strings_only() {
        let timeout = Setting::option(b"timeout").unwrap();
        let api_base = Setting::option(b"api_base").unwrap();
        assert_eq!(Given::Float(2.5).setting_text(timeout).unwrap(), "2.5");
        assert_eq!(Given::Text(b"4").setting_text(timeout).unwrap(), "4");
        assert_eq!(
            message(Given::Map(vec![]).setting_text(timeout)),
            "option 'timeout' must be a number of seconds, array given"
        );
        assert_eq!(
            message(Given::Int(1).setting_text(api_base)),
            "option 'api_base' must be a string, int given"
        );
        assert_eq!(
            message(Given::Text(b"https://\xff").setting_text(api_base)),
            "option 'api_base' must be valid UTF-8"
        );
    }
}
