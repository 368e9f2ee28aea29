//! Every setting, declared once.
//!
//! [`SETTINGS`] is the one table: the `wxpay.*` ini directives the binding
//! registers, the `$options` keys a call accepts, what phpinfo shows (and
//! masks), and the install template ([`ini_template`]) are all read from
//! it. Adding a setting is one entry here plus its field in [`Config`].
//!
//! Values from php.ini are the server's configuration
//! ([`Error::Configuration`]); values from `$options` are the caller's
//! ([`Error::InvalidArgument`]).

use crate::client::Api;
use crate::error::{Error, Result};
use crate::net::tls::CaSource;
use crate::net::transport;
use crate::outbox::{self, Location};
use crate::token::{self, CacheSetting, Endpoint};
use std::ffi::CStr;

pub mod calls;
mod documents;
mod given;

pub use documents::{ini_template, markdown_table};
pub use given::{Given, Options};

/// Where a setting may be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// php.ini, `ini_set()` and `$options`.
    Call,
    /// php.ini only (`PHP_INI_SYSTEM`): it decides for a whole pool.
    Server,
    /// `$options` only: never a directive (a secret in php.ini would be
    /// shown by phpinfo and ini_get).
    Option,
}

/// How an `$options` value is read before it is parsed as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A string.
    Text,
    /// Seconds: an int, a float or a numeric string.
    Seconds,
    /// A count: an int or a string of digits.
    Count,
}

/// How a value is shown (phpinfo, `php --ri`, messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Plain,
    /// A URL whose `user:password@` is shown as `***@`.
    Masked,
}

/// Which calls a setting concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsedBy {
    Every,
    /// The calls that obtain tokens.
    Tokens,
    /// The outbox functions.
    Outbox,
}

/// One setting.
pub struct Setting {
    /// The `$options` key; the directive is `wxpay.` followed by it.
    pub name: &'static str,
    /// `wxpay.NAME`, for the engine.
    pub ini: &'static CStr,
    /// The default, as php.ini would write it.
    pub default: &'static CStr,
    pub scope: Scope,
    pub input: Input,
    /// Changing it needs another HTTPS agent (trust store, proxy): the
    /// transport keys its connection pools by these.
    pub agent: bool,
    pub shown: Shown,
    /// Which calls read it: a bad value fails those calls and no other.
    pub used_by: UsedBy,
    /// One line for the install template.
    pub doc: &'static str,
    /// Parses `value` into `config`; `label` names the setting in messages.
    apply: fn(&mut Config, label: &str, value: &str) -> Result<()>,
}

/// `c"wxpay.NAME"` and `c"DEFAULT"` from one spelling of each.
macro_rules! setting {
    ($name:literal, $default:literal, $($field:ident: $value:expr),* $(,)?) => {
        Setting {
            name: $name,
            ini: cstr(concat!("wxpay.", $name, "\0")),
            default: cstr(concat!($default, "\0")),
            $($field: $value),*
        }
    };
}

const fn cstr(s: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(s.as_bytes()) {
        Ok(c) => c,
        Err(_) => panic!("a setting's name or default holds a NUL"),
    }
}

pub static SETTINGS: [Setting; 17] = [
    setting!("api_base", "https://api.weixin.qq.com",
    scope: Scope::Call, input: Input::Text, agent: false, shown: Shown::Plain, used_by: UsedBy::Every,
    doc: "where the API lives; https:// only (the sandbox's address in tests)",
    apply: |c, label, v| {
        c.transport.api_base = transport::parse_api_base(label, v)?;
        Ok(())
    }),
    setting!("timeout", "5",
    scope: Scope::Call, input: Input::Seconds, agent: false, shown: Shown::Plain, used_by: UsedBy::Every,
    doc: "the whole request, connect to last byte, in seconds (a float)",
    apply: |c, label, v| {
        c.transport.timeout = transport::parse_timeout(label, v)?;
        Ok(())
    }),
    setting!("connect_timeout", "2",
    scope: Scope::Call, input: Input::Seconds, agent: false, shown: Shown::Plain, used_by: UsedBy::Every,
    doc: "TCP connect plus the TLS handshake, in seconds",
    apply: |c, label, v| {
        c.transport.connect_timeout = transport::parse_timeout(label, v)?;
        Ok(())
    }),
    setting!("cafile", "",
    scope: Scope::Call, input: Input::Text, agent: true, shown: Shown::Plain, used_by: UsedBy::Every,
    doc: "a PEM bundle to trust instead of the system store (verification is always on)",
    apply: |c, label, v| {
        let file = v.trim();
        CaSource::check(file).map_err(|e| e.context(label))?;
        c.transport.ca = CaSource::for_setting(file);
        Ok(())
    }),
    setting!("proxy", "",
    scope: Scope::Call, input: Input::Text, agent: true, shown: Shown::Masked, used_by: UsedBy::Every,
    doc: "an http:// or https:// proxy URL, user:password@ allowed and shown masked; proxy environment variables are ignored",
    apply: |c, label, v| {
        c.transport.proxy = transport::parse_proxy(label, v)?;
        Ok(())
    }),
    setting!("appsecret", "",
    scope: Scope::Option, input: Input::Text, agent: false, shown: Shown::Plain, used_by: UsedBy::Every,
    doc: "lets the calls that take a token (null instead of one) obtain and refresh it themselves",
    apply: |c, label, v| {
        if v.is_empty() {
            return Err(Error::Configuration(format!("{label} must not be empty")));
        }
        c.appsecret = Some(v.to_string());
        Ok(())
    }),
    setting!("appid", "",
    scope: Scope::Option, input: Input::Text, agent: false, shown: Shown::Plain, used_by: UsedBy::Every,
    doc: "the app whose token wx_feedback_update(null, ...) obtains with appsecret (the other calls take it from their params)",
    apply: |c, label, v| {
        if v.is_empty() {
            return Err(Error::Configuration(format!("{label} must not be empty")));
        }
        c.appid = Some(v.to_string());
        Ok(())
    }),
    setting!("token_endpoint", "token",
    scope: Scope::Call, input: Input::Text, agent: false, shown: Shown::Plain, used_by: UsedBy::Tokens,
    doc: "token (GET /cgi-bin/token) or stable_token (POST /cgi-bin/stable_token)",
    apply: |c, label, v| {
        c.tokens.endpoint = Endpoint::parse(label, v)?;
        Ok(())
    }),
    setting!("token_cache", "memory",
    scope: Scope::Server, input: Input::Text, agent: false, shown: Shown::Masked, used_by: UsedBy::Tokens,
    doc: "memory (per worker), redis[s]://[user:password@]host:port/db, a primary found through Sentinel: redis[s]+sentinel://[user:password@]host:port[,host:port...]/NAME[/db], or a Cluster: redis[s]+cluster://[user:password@]host:port[,host:port...] (shared by every worker and server; rediss is verified against wxpay.cafile or the system store; shown masked)",
    apply: |c, label, v| {
        c.tokens.cache = CacheSetting::parse(label, v)?;
        Ok(())
    }),
    setting!("token_copy_ttl", "60",
    scope: Scope::Server, input: Input::Seconds, agent: false, shown: Shown::Plain, used_by: UsedBy::Tokens,
    doc: "seconds a worker reuses its own copy of a token before asking the cache again (0 to 60; 0: every call asks)",
    apply: |c, label, v| {
        c.tokens.copy_ms = token::parse_copy_ttl(label, v)?;
        Ok(())
    }),
    setting!("outbox", "/var/lib/wxpay/outbox.sqlite",
    scope: Scope::Call, input: Input::Text, agent: false, shown: Shown::Masked, used_by: UsedBy::Outbox,
    doc: "where wx_deliver_enqueue() keeps notifications: a SQLite file (one server), redis[s]://[user:password@]host:port/db, a primary found through Sentinel: redis[s]+sentinel://[user:password@]host:port[,host:port...]/NAME[/db], or a Cluster: redis[s]+cluster://[user:password@]host:port[,host:port...] (every server; rediss is verified against wxpay.cafile or the system store; shown masked)",
    apply: |c, label, v| {
        c.outbox.location = Location::parse(label, v)?;
        c.outbox.label = label.to_string();
        Ok(())
    }),
    setting!("outbox_retry_first", "30",
    scope: Scope::Call, input: Input::Seconds, agent: false, shown: Shown::Plain, used_by: UsedBy::Outbox,
    doc: "seconds before an outbox entry is retried after its first failure; each later wait doubles (with jitter)",
    apply: |c, label, v| {
        c.outbox.retry.first_ms = outbox::parse_retry(label, v)?;
        Ok(())
    }),
    setting!("outbox_retry_max", "1800",
    scope: Scope::Call, input: Input::Seconds, agent: false, shown: Shown::Plain, used_by: UsedBy::Outbox,
    doc: "the longest wait between two tries of an outbox entry, in seconds",
    apply: |c, label, v| {
        c.outbox.retry.max_ms = outbox::parse_retry(label, v)?;
        Ok(())
    }),
    setting!("outbox_keep_sent", "2592000",
    scope: Scope::Call, input: Input::Seconds, agent: false, shown: Shown::Plain, used_by: UsedBy::Outbox,
    doc: "seconds a sent outbox entry is kept after its deadline (the record, and what makes a repeated enqueue return the first id); wx_deliver_drain() deletes older ones",
    apply: |c, label, v| {
        c.outbox.keep_sent_ms = outbox::parse_keep_sent(label, v)?;
        Ok(())
    }),
    setting!("outbox_concurrency", "4",
    scope: Scope::Call, input: Input::Count, agent: false, shown: Shown::Plain, used_by: UsedBy::Outbox,
    doc: "how many sends wx_deliver_drain() keeps in flight, each on its own keep-alive connection (1 to 16); a drainer killed mid-drain may leave that many entries to be sent once more",
    apply: |c, label, v| {
        c.outbox.concurrency = outbox::parse_concurrency(label, v)?;
        Ok(())
    }),
    setting!("outbox_replicas", "0",
    scope: Scope::Call, input: Input::Count, agent: false, shown: Shown::Plain, used_by: UsedBy::Outbox,
    doc: "how many Redis replicas must hold an enqueued notification before wx_deliver_enqueue() returns its id (Redis WAIT, within wxpay.timeout; 0 to 16): with 1 or more, a failover to a replica loses no acknowledged enqueue; fewer replicas in time is an OutboxException",
    apply: |c, label, v| {
        c.outbox.replicas = outbox::parse_replicas(label, v)?;
        Ok(())
    }),
    setting!("outbox_redis_unsafe", "0",
    scope: Scope::Server, input: Input::Text, agent: false, shown: Shown::Plain, used_by: UsedBy::Outbox,
    doc: "1: let wx_deliver_enqueue() use a Redis outbox that can lose entries (an allkeys-* maxmemory-policy, neither AOF nor RDB) or whose CONFIG it cannot read (some managed Redis); you accept that acknowledged notifications may be lost",
    apply: |c, label, v| {
        c.outbox.redis_unsafe = outbox::parse_redis_unsafe(label, v)?;
        Ok(())
    }),
];

/// How many settings are ini directives.
pub const INI_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < SETTINGS.len() {
        if !matches!(SETTINGS[i].scope, Scope::Option) {
            n += 1;
        }
        i += 1;
    }
    n
};

impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Setting {
    pub fn is_directive(&self) -> bool {
        self.scope != Scope::Option
    }

    pub fn is_option(&self) -> bool {
        self.scope != Scope::Server
    }

    /// `wxpay.NAME`.
    pub fn directive(&self) -> &'static str {
        self.ini.to_str().unwrap_or_default()
    }

    /// Why `value` cannot be used for this directive, if it cannot.
    pub fn check(&self, value: &str) -> Result<()> {
        (self.apply)(&mut Config::defaults(), self.directive(), value)
    }

    /// The `$options` key `key`, or the error that lists the keys there are.
    pub fn option(key: &[u8]) -> Result<&'static Setting> {
        SETTINGS
            .iter()
            .find(|s| s.is_option() && s.name.as_bytes() == key)
            .ok_or_else(|| {
                let shown = crate::secrets::display_bytes(&key[..key.len().min(64)]);
                let cut = if key.len() > 64 { "..." } else { "" };
                let names: Vec<&str> = SETTINGS
                    .iter()
                    .filter(|s| s.is_option())
                    .map(|s| s.name)
                    .collect();
                Error::invalid(format!(
                    "unknown option '{shown}{cut}'; the options are {}",
                    names.join(", ")
                ))
            })
    }
}

/// Everything a call needs to know, read from the ini values and `$options`:
/// each part's own settings, composed.
#[derive(Clone, Debug)]
pub struct Config {
    pub transport: transport::Settings,
    /// From `$options` only: lets the extension obtain tokens itself.
    pub appsecret: Option<String>,
    /// From `$options` only: the app of a call whose params have no appid.
    pub appid: Option<String>,
    tokens: token::Settings,
    /// The first token setting that cannot be used: reported by the calls
    /// that obtain tokens, and only by them.
    token_problem: Option<Error>,
    outbox: outbox::Settings,
    outbox_problem: Option<Error>,
}

impl Config {
    /// The table's defaults, each parsed by its own part: the table is the
    /// only place a default is written.
    fn defaults() -> Config {
        let mut config = Config {
            transport: transport::Settings::default(),
            appsecret: None,
            appid: None,
            tokens: token::Settings::default(),
            token_problem: None,
            outbox: outbox::Settings::default(),
            outbox_problem: None,
        };
        for s in SETTINGS.iter().filter(|s| s.is_directive()) {
            let default = s.default.to_str().unwrap_or_default();
            // Every default parses (a test says so); one that did not would
            // leave the blank and be reported when the directive is read.
            let _ = (s.apply)(&mut config, s.directive(), default);
        }
        config
    }

    /// Reads every setting: `options` over `ini` (the directive's current
    /// value). Options are (setting, text) pairs already checked against
    /// [`Setting::option`].
    pub fn read(
        ini: impl Fn(&Setting) -> String,
        options: &[(&Setting, String)],
    ) -> Result<Config> {
        let mut config = Config::defaults();
        for s in &SETTINGS {
            let given = options.iter().rev().find(|(o, _)| std::ptr::eq(*o, s));
            let outcome = match given {
                Some((_, value)) => {
                    let label = format!("option '{}'", s.name);
                    (s.apply)(&mut config, &label, value).map_err(Error::from_option)
                }
                None if s.is_directive() => (s.apply)(&mut config, s.directive(), &ini(s))
                    .map_err(|e| e.context("php.ini").note(" (see php --ri wxpay)")),
                None => Ok(()),
            };
            match (outcome, s.used_by) {
                (Err(e), UsedBy::Tokens) => {
                    config.token_problem.get_or_insert(e);
                }
                (Err(e), UsedBy::Outbox) => {
                    config.outbox_problem.get_or_insert(e);
                }
                (other, _) => other?,
            }
        }
        Ok(config)
    }

    /// The outbox settings, or why one cannot be used.
    pub fn outbox(&self) -> Result<&outbox::Settings> {
        match &self.outbox_problem {
            Some(e) => Err(e.clone()),
            None => Ok(&self.outbox),
        }
    }

    /// Where tokens come from, or why a token setting cannot be used.
    pub fn tokens(&self) -> Result<&token::Settings> {
        match &self.token_problem {
            Some(e) => Err(e.clone()),
            None => Ok(&self.tokens),
        }
    }

    /// What the API client needs from this configuration.
    pub fn api(&self) -> Api<'_> {
        Api {
            transport: &self.transport,
            tokens: self.tokens(),
            appsecret: self.appsecret.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn defaults(s: &Setting) -> String {
        s.default.to_str().unwrap().to_string()
    }

    #[test]
    fn every_default_is_valid_and_names_are_unique() {
        let c = Config::read(defaults, &[]).unwrap();
        assert_eq!(c.transport.api_base, "https://api.weixin.qq.com");
        assert_eq!(c.transport.timeout, Duration::from_secs(5));
        assert!(c.tokens().is_ok());
        for (i, a) in SETTINGS.iter().enumerate() {
            assert!(
                SETTINGS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
            assert_eq!(a.directive(), format!("wxpay.{}", a.name));
            if a.is_directive() {
                a.check(&defaults(a)).unwrap();
            }
        }
        assert_eq!(INI_COUNT, 15);
    }

    #[test]
    fn options_win_and_their_errors_are_the_callers() {
        let timeout = Setting::option(b"timeout").unwrap();
        let c = Config::read(defaults, &[(timeout, "0.5".into())]).unwrap();
        assert_eq!(c.transport.timeout, Duration::from_millis(500));
        let e = Config::read(defaults, &[(timeout, "0".into())]).unwrap_err();
        assert_eq!(
            e,
            Error::invalid(
                "option 'timeout' must be a number of seconds greater than 0 and at most 3600"
            )
        );
        let ini = |s: &Setting| {
            if s.name == "timeout" {
                "-1".into()
            } else {
                defaults(s)
            }
        };
        let e = Config::read(ini, &[]).unwrap_err();
        assert_eq!(
            e,
            Error::Configuration(
                "php.ini: wxpay.timeout must be a number of seconds greater than 0 and at most 3600 (see php --ri wxpay)"
                    .into()
            )
        );
        let secret = Setting::option(b"appsecret").unwrap();
        assert_eq!(
            Config::read(defaults, &[(secret, String::new())]).unwrap_err(),
            Error::invalid("option 'appsecret' must not be empty")
        );
    }

    #[test]
    fn a_bad_token_setting_fails_only_token_calls() {
        let ini = |s: &Setting| {
            if s.name == "token_cache" {
                "memcache://:pw@x".into()
            } else {
                defaults(s)
            }
        };
        let c = Config::read(ini, &[]).unwrap();
        let e = c.tokens().unwrap_err();
        assert!(matches!(e, Error::Configuration(_)), "{e:?}");
        assert!(
            e.message()
                .starts_with("php.ini: wxpay.token_cache must be")
                && !e.message().contains("pw")
        );
    }

    #[test]
    fn unknown_options_list_the_known_ones_and_server_settings_are_not_options() {
        let e = Setting::option(b"timeuot").unwrap_err();
        assert_eq!(
            e.message(),
            "unknown option 'timeuot'; the options are api_base, timeout, connect_timeout, cafile, proxy, appsecret, appid, token_endpoint, outbox, outbox_retry_first, outbox_retry_max, outbox_keep_sent, outbox_concurrency, outbox_replicas"
        );
        assert!(Setting::option(b"token_cache").is_err());
        let long = Setting::option(&[b'o'; 100]).unwrap_err();
        assert!(long
            .message()
            .starts_with(&format!("unknown option '{}...'", "o".repeat(64))));
    }

    /// A valid value other than the default, per setting: a new setting
    /// without one fails here, so its agent flag is always checked.
    fn other_value(name: &str) -> &'static str {
        match name {
            "api_base" => "https://127.0.0.1:9",
            "timeout" | "connect_timeout" => "1.5",
            "cafile" => "/etc/hostname",
            "proxy" => "http://127.0.0.1:3128",
            "appsecret" => "S",
            "appid" => "wxA",
            "token_endpoint" => "stable_token",
            "token_cache" => "redis://127.0.0.1:6379/0",
            "token_copy_ttl" => "0",
            "outbox" => "redis://127.0.0.1:6379/1",
            "outbox_retry_first" | "outbox_retry_max" => "2.5",
            "outbox_keep_sent" => "86400",
            "outbox_redis_unsafe" => "1",
            "outbox_concurrency" => "8",
            "outbox_replicas" => "1",
            other => panic!("no example value for the setting {other}: add one"),
        }
    }

    #[test]
    fn the_agent_flag_is_what_the_transport_keys_its_pools_by() {
        let base = Config::read(defaults, &[]).unwrap();
        for s in &SETTINGS {
            let value = other_value(s.name).to_string();
            let changed = if s.is_directive() {
                Config::read(
                    |x| {
                        if std::ptr::eq(x, s) {
                            value.clone()
                        } else {
                            defaults(x)
                        }
                    },
                    &[],
                )
            } else {
                Config::read(defaults, &[(s, value)])
            }
            .unwrap();
            assert_eq!(
                transport::agent_key(&base.transport) != transport::agent_key(&changed.transport),
                s.agent,
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn the_install_template_is_the_tables() {
        let shipped = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../packaging/wxpay.ini"
        ))
        .unwrap();
        assert_eq!(
            shipped,
            ini_template(),
            "packaging/wxpay.ini is generated: cargo run -q -p wxpay-core --example ini_template > packaging/wxpay.ini"
        );
        for s in SETTINGS.iter().filter(|s| s.is_directive()) {
            assert!(
                shipped.contains(&format!("; {} =", s.directive())),
                "{}",
                s.name
            );
        }
        assert!(!shipped.contains("appsecret"));
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
        assert!(
            readme.contains(&markdown_table()),
            "README.md's settings table is generated: cargo run -q -p wxpay-core --example ini_template -- --markdown"
        );
    }

    #[test]
    fn a_setting_shows_its_name_checks_values_and_cuts_long_keys_at_64() {
        let timeout = Setting::option(b"timeout").unwrap();
        assert_eq!(format!("{timeout:?}"), "timeout");
        timeout.check("3").unwrap();
        assert!(timeout.check("soon").is_err());
        assert!(timeout.check("-1").is_err());
        let at = |n: usize| {
            Setting::option(&vec![b'k'; n])
                .unwrap_err()
                .message()
                .to_string()
        };
        assert!(at(64).starts_with(&format!("unknown option '{}';", "k".repeat(64))));
        assert!(at(65).starts_with(&format!("unknown option '{}...';", "k".repeat(64))));
    }

    #[test]
    fn the_markdown_table_has_a_row_per_setting() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), 2 + SETTINGS.len());
        for s in &SETTINGS {
            let shown = if s.is_directive() {
                format!("`{}`", s.directive())
            } else {
                format!("`{}`", s.name)
            };
            assert!(table.contains(&shown), "{}", s.name);
        }
    }
}
