//! The `$options` keys that belong to one function rather than to the
//! settings table, and what they mean: the outbox functions' deadline,
//! drain bounds, apps and status view.

use super::given::{Given, Options};
use crate::error::{Error, Result};
use crate::outbox::{self, Apps, Limits, View};
use crate::wire::Scalar;

/// `wx_deliver_enqueue()` and `wx_deliver_requeue()`.
pub const ENQUEUE: &[&str] = &["deadline", "goods"];
/// `wx_deliver_drain()`.
pub const DRAIN: &[&str] = &["apps", "max_items", "max_seconds"];
/// `wx_deliver_outbox()`.
pub const STATUS: &[&str] = &["format", "dead_limit"];

impl Options<'_> {
    /// The function's own key `name` read by `read`, when it was given.
    fn read<T>(&self, name: &str, read: impl FnOnce(&Given<'_>) -> Result<T>) -> Result<Option<T>> {
        self.own(name).map(read).transpose()
    }

    /// The deadline (unix ms) from `deadline` or `goods` (virtual by default).
    pub fn deadline(&self, now_ms: u64) -> Result<u64> {
        let at = self.read("deadline", |g| g.int("deadline"))?;
        let goods = self.read("goods", |g| g.text("option 'goods'"))?;
        outbox::deadline_ms(now_ms, at, goods.as_deref())
    }

    /// Whose tokens a drain obtains (`apps`, or `appsecret` for every app)
    /// and its bounds (`max_items`, `max_seconds`).
    pub fn drain(&self, appsecret: Option<&str>) -> Result<(Apps, Limits)> {
        let each = self.read("apps", apps)?.unwrap_or_default();
        let apps = outbox::apps(appsecret, &each)?;
        let items = self.read("max_items", |g| g.int("max_items"))?;
        let secs = self.read("max_seconds", |g| g.seconds("max_seconds"))?;
        Ok((apps, outbox::limits(items, secs)?))
    }

    /// How `wx_deliver_outbox()` shows the status (`format`, `dead_limit`).
    pub fn view(&self) -> Result<View> {
        let format = self.read("format", |g| g.text("option 'format'"))?;
        let dead_limit = self.read("dead_limit", |g| g.int("dead_limit"))?;
        outbox::view(format.as_deref(), dead_limit)
    }
}

/// `[appid => appsecret, ...]`, both UTF-8 strings.
fn apps(given: &Given<'_>) -> Result<Vec<(String, String)>> {
    let Given::Map(entries) = given else {
        return Err(Error::invalid(format!(
            "option 'apps' must be an array of appid => appsecret, {} given",
            given.type_name()
        )));
    };
    entries
        .iter()
        .map(|(key, value)| {
            // A list ([$secret]) would make appid "0"; a key that is not UTF-8, "".
            let appid = match key {
                Scalar::Bytes(k) => std::str::from_utf8(k).ok(),
                Scalar::Int(_) => None,
            }
            .ok_or_else(|| {
                Error::invalid(
                    "option 'apps' must map each appid (a string key) to its appsecret: [appid => appsecret, ...]",
                )
            })?;
            let secret = match value {
                Given::Text(_) => value.text("an appsecret in option 'apps'")?,
                other => {
                    return Err(Error::invalid(format!(
                        "option 'apps' must map each appid to its appsecret (a string), {} given",
                        other.type_name()
                    )))
                }
            };
            Ok((appid.to_string(), secret))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own<'a>(keys: &[&'static str], given: Vec<(&'a [u8], Given<'a>)>) -> Options<'a> {
        let given = given
            .into_iter()
            .map(|(k, v)| (Scalar::bytes(k), v))
            .collect();
        Options::sort(given, keys).unwrap()
    }

    fn apps_message(apps: Given<'_>) -> String {
        own(DRAIN, vec![(b"apps", apps)])
            .drain(None)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn apps_map_string_appids_to_utf8_appsecrets() {
        let given = Given::Map(vec![(Scalar::bytes(b"wx1"), Given::Text(b"s1"))]);
        let (apps, _) = own(DRAIN, vec![(b"apps", given)]).drain(None).unwrap();
        assert_eq!(apps.each.get("wx1").map(String::as_str), Some("s1"));

        assert_eq!(
            apps_message(Given::Text(b"wx1")),
            "option 'apps' must be an array of appid => appsecret, string given"
        );
        assert_eq!(
            apps_message(Given::Map(vec![(Scalar::Int(0), Given::Text(b"s1"))])),
            "option 'apps' must map each appid (a string key) to its appsecret: [appid => appsecret, ...]"
        );
        assert_eq!(
            apps_message(Given::Map(vec![(Scalar::bytes(b"wx1"), Given::Int(5))])),
            "option 'apps' must map each appid to its appsecret (a string), int given"
        );
        // Was "(a string), string given" when the binding read the value.
        assert_eq!(
            apps_message(Given::Map(vec![(
                Scalar::bytes(b"wx1"),
                Given::Text(b"\xff")
            )])),
            "an appsecret in option 'apps' must be valid UTF-8"
        );
    }

    #[test]
    fn the_deadline_and_the_view_read_their_own_keys() {
        let now = 1_700_000_000_000;
        let physical = own(ENQUEUE, vec![(b"goods", Given::Text(b"physical"))]);
        assert_eq!(physical.deadline(now).unwrap(), now + 72 * 3_600_000);
        assert_eq!(
            Options::default().deadline(now).unwrap(),
            now + 24 * 3_600_000
        );
        let float = own(ENQUEUE, vec![(b"deadline", Given::Float(1e10))]);
        assert_eq!(
            float.deadline(now).unwrap_err().to_string(),
            "option 'deadline' must be an int, float given"
        );
        let prometheus = own(STATUS, vec![(b"format", Given::Text(b"prometheus"))]);
        assert_eq!(prometheus.view().unwrap(), View::Prometheus);
        let limit = own(STATUS, vec![(b"dead_limit", Given::Text(b"5"))]);
        assert_eq!(
            limit.view().unwrap_err().to_string(),
            "option 'dead_limit' must be an int, string given"
        );
        let (_, limits) = own(DRAIN, vec![(b"max_items", Given::Int(3))])
            .drain(Some("secret"))
            .unwrap();
        assert_eq!(limits.max_items, 3);
    }
}
