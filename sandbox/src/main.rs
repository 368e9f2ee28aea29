//! wxpay-sandbox: a local HTTPS stand-in for api.weixin.qq.com.
//!
//! Serves `GET /cgi-bin/token`, `POST /cgi-bin/stable_token`,
//! `POST /pay/delivernotify`, `POST /pay/orderquery` and
//! `GET /payfeedback/update` with WeChat's checks and error codes, records
//! every accepted notification, misbehaves on request (`/_sandbox/fault`),
//! and plays WeChat towards the shop: it pays orders and posts the signed
//! payment notifications, complaints and alarms (`/_sandbox/pay`, ...).
//! See README.md, "Testing offline with wxpay-sandbox".

mod buyer;
mod certs;
mod client;
mod faults;
mod http;
mod pay;
mod server;
mod signing;
mod wechat;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wechat::{App, Settings};

const USAGE: &str = "usage: wxpay-sandbox [options]
  --state-dir DIR     where ca.pem, address and notifications.jsonl go (default ./wxpay-sandbox)
  --listen ADDR       loopback IPv4 address to listen on (default 127.0.0.1)
  --port N            port to listen on (default 0: a free one)
  --app ID:SECRET:KEY[:PARTNER:PARTNERKEY]
                      an app the sandbox knows (repeatable); default: the seed article's app;
                      with a partner id and key it takes payments (/_sandbox/pay)
  --apps FILE         more apps, one 'appid appsecret appkey [partner partnerkey]' per line (# comments)
  --time-scale X      multiplies WeChat's intervals (callback retries, the shipping deadline;
                      default 1, e.g. 0.001 turns 24 h into 86 s)
  --token-ttl SECS    expires_in of new tokens (default 7200)
  --grace SECS        how long a replaced token still works (default 300, as WeChat)
  --token-quota N     token calls per app before 45009 (default 2000, as WeChat)
  -h, --help          this text";

/// The options, then the fault kinds and control endpoints from the tables
/// the server itself uses.
fn usage() -> String {
    let mut out = format!("{USAGE}\n\nfault kinds (POST /_sandbox/fault {{\"kind\": ..., \"count\": N, \"match\": \"text\"}}):\n");
    for (kind, fields, what) in faults::KINDS {
        let fields = if fields.is_empty() {
            String::new()
        } else {
            format!(" [{fields}]")
        };
        out.push_str(&format!("  {kind}{fields}: {what}\n"));
    }
    out.push_str("  any kind: delay_ms (misbehave after this pause), count (default 1), match (only requests whose target or body contains it)\n");
    out.push_str("\ncontrol endpoints (over the same HTTPS, trust STATE_DIR/ca.pem):\n");
    for (_, method, path, what) in server::CONTROL {
        out.push_str(&format!("  {method} {path}: {what}\n"));
    }
    out.push_str("\nrequest log: every API request is kept in memory (GET /_sandbox/requests), every accepted\nnotification in STATE_DIR/notifications.jsonl (fields only: no token, no appkey)");
    out
}

/// The app of the seed article, so the demo runs with no configuration.
const SEED_APP: (&str, &str, &str) = (
    "wx0000000000000000",
    "e76050733ce76050733ce76050733cdd",
    "8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6k",
);

struct Options {
    state_dir: PathBuf,
    listen: std::net::Ipv4Addr,
    port: u16,
    apps: Vec<App>,
    settings: Settings,
    time_scale: f64,
}

fn parse_app(spec: &str) -> Result<App, String> {
    let parts: Vec<&str> = spec
        .split([':', ' ', '\t'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let app = |id: &str, secret: &str, key: &str| App {
        appid: id.to_string(),
        secret: secret.to_string(),
        appkey: key.to_string(),
        partner: None,
        partnerkey: None,
    };
    match parts.as_slice() {
        [id, secret, key] => Ok(app(id, secret, key)),
        [id, secret, key, partner, partnerkey]
            if partner.len() == 10 && partner.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(App {
                partner: Some(partner.to_string()),
                partnerkey: Some(partnerkey.to_string()),
                ..app(id, secret, key)
            })
        }
        _ => Err(
            "an app is APPID:APPSECRET:APPKEY, or APPID:APPSECRET:APPKEY:PARTNER:PARTNERKEY with a 10-digit partner id"
                .into(),
        ),
    }
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        state_dir: PathBuf::from("wxpay-sandbox"),
        listen: std::net::Ipv4Addr::LOCALHOST,
        port: 0,
        apps: Vec::new(),
        settings: Settings {
            token_ttl: Duration::from_secs(7200),
            grace: Duration::from_secs(300),
            token_quota: 2000,
        },
        time_scale: 1.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        let secs = |v: String| {
            v.parse::<f64>()
                .map(Duration::from_secs_f64)
                .map_err(|e| format!("{v}: {e}"))
        };
        match arg.as_str() {
            "--state-dir" => opts.state_dir = PathBuf::from(value()?),
            "--listen" => {
                let addr: std::net::Ipv4Addr =
                    value()?.parse().map_err(|e| format!("--listen: {e}"))?;
                if !addr.is_loopback() {
                    return Err("--listen takes a loopback address (127.x.y.z): the sandbox is for this machine only".into());
                }
                opts.listen = addr;
            }
            "--port" => opts.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--app" => opts.apps.push(parse_app(&value()?)?),
            "--apps" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                for line in text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                {
                    opts.apps.push(parse_app(line)?);
                }
            }
            "--token-ttl" => opts.settings.token_ttl = secs(value()?)?,
            "--grace" => opts.settings.grace = secs(value()?)?,
            "--token-quota" => {
                opts.settings.token_quota = value()?
                    .parse()
                    .map_err(|e| format!("--token-quota: {e}"))?
            }
            "--time-scale" => {
                opts.time_scale = value()?
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x > 0.0 && x.is_finite())
                    .ok_or("--time-scale takes a positive number")?
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    if opts.apps.is_empty() {
        let (appid, secret, appkey) = SEED_APP;
        opts.apps.push(App {
            appid: appid.into(),
            secret: secret.into(),
            appkey: appkey.into(),
            partner: None,
            partnerkey: None,
        });
    }
    Ok(opts)
}

fn run() -> Result<(), String> {
    let opts = parse_args()?;
    std::fs::create_dir_all(&opts.state_dir)
        .map_err(|e| format!("{}: {e}", opts.state_dir.display()))?;
    let identity = certs::load_or_create(&opts.state_dir)?;
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(identity.chain, identity.key)
    .map_err(|e| e.to_string())?;

    let listener =
        TcpListener::bind((opts.listen, opts.port)).map_err(|e| format!("listen: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let address = format!("https://{}:{port}", opts.listen);
    let journal_path = opts.state_dir.join("notifications.jsonl");
    let journal = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_path)
        .map_err(|e| format!("{}: {e}", journal_path.display()))?;

    let pay = pay::Pay::new(opts.apps.clone().into_iter(), opts.time_scale);
    let api = wechat::Api::new(opts.apps, opts.settings);
    let apps: Vec<String> = api.apps().map(|a| a.appid.clone()).collect();
    let server = Arc::new(server::Server::new(api, pay, Arc::new(tls), journal));

    std::fs::write(opts.state_dir.join("address"), format!("{address}\n"))
        .map_err(|e| e.to_string())?;
    std::fs::write(
        opts.state_dir.join("pid"),
        format!("{}\n", std::process::id()),
    )
    .map_err(|e| e.to_string())?;
    println!(
        "wxpay-sandbox listening on {address}\n  CA certificate: {}\n  notifications:  {}\n  apps: {}",
        opts.state_dir.join("ca.pem").display(),
        journal_path.display(),
        apps.join(", ")
    );
    server.serve(listener);
    Ok(())
}

fn main() {
    if std::env::args().skip(1).any(|a| a == "-h" || a == "--help") {
        println!("{}", usage());
        return;
    }
    if let Err(e) = run() {
        eprintln!("wxpay-sandbox: {e}");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn help_lists_every_fault_kind_and_control_endpoint() {
        let help = super::usage();
        for (kind, ..) in super::faults::KINDS {
            assert!(help.contains(&format!("\n  {kind}")), "{kind}");
        }
        for (_, method, path, _) in super::server::CONTROL {
            assert!(
                help.contains(&format!("\n  {method} {path}: ")),
                "{method} {path}"
            );
        }
        for option in ["--state-dir", "--apps", "--time-scale", "--token-quota"] {
            assert!(help.contains(option), "{option}");
        }
    }
}

#[cfg(test)]
mod harness_probe {
    /// tests/harness-probe.sh sets WXPAY_PROBE=cargo-abort to check that a
    /// test binary that dies without reporting still fails the suite.
    #[test]
    fn aborts_only_when_probed() {
        if std::env::var("WXPAY_PROBE").as_deref() == Ok("cargo-abort") {
            std::process::abort();
        }
    }
}
