//! wxpay-testproxy: a forward proxy on loopback for the test suite.
//!
//! Tunnels `CONNECT` requests to loopback targets, and can misbehave the way
//! real proxies do: demand credentials (407), or accept and never answer.
//! Every CONNECT is logged to `DIR/log` (target, whether credentials were
//! right, the answer), so a test can count what passed through the proxy.
//!
//!   wxpay-testproxy --state-dir DIR [--mode tunnel|silent] [--auth USER:PASS]

use base64::Engine as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Tunnel,
    /// Accepts, reads the request, never answers.
    Silent,
}

struct Proxy {
    mode: Mode,
    /// `Basic` credentials required, as sent (`user:pass` base64).
    auth: Option<String>,
    log: Mutex<std::fs::File>,
}

impl Proxy {
    fn log(&self, line: &str) {
        let mut f = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(f, "{line}");
    }

    fn serve(&self, client: TcpStream) -> std::io::Result<()> {
        client.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut reader = BufReader::new(client.try_clone()?);
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let end = line == "\r\n" || line == "\n";
            head.push(line.trim_end().to_string());
            if end {
                break;
            }
        }
        let request = head.first().cloned().unwrap_or_default();
        let mut parts = request.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let given = head.iter().find_map(|h| {
            let (name, value) = h.split_once(':')?;
            name.eq_ignore_ascii_case("proxy-authorization")
                .then(|| value.trim().to_string())
        });
        let authorized = match &self.auth {
            None => true,
            Some(want) => given.as_deref() == Some(&format!("Basic {want}")),
        };
        let mut client = client;
        if self.mode == Mode::Silent {
            self.log(&format!("{method} {target} silent"));
            // Hold the connection open, answering nothing, until the peer goes.
            let mut sink = [0u8; 1024];
            while reader.read(&mut sink).map(|n| n > 0).unwrap_or(false) {}
            return Ok(());
        }
        if !authorized {
            self.log(&format!(
                "{method} {target} credentials={} 407",
                if given.is_some() { "wrong" } else { "none" }
            ));
            client.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
            return Ok(());
        }
        let addr: Option<SocketAddr> = target.parse().ok();
        let Some(addr) = addr.filter(|a| method == "CONNECT" && a.ip().is_loopback()) else {
            self.log(&format!("{method} {target} 403"));
            client.write_all(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
            return Ok(());
        };
        let upstream = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(s) => s,
            Err(_) => {
                self.log(&format!("{method} {target} 502"));
                client.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )?;
                return Ok(());
            }
        };
        self.log(&format!(
            "{method} {target} credentials={} 200",
            if self.auth.is_some() { "right" } else { "none" }
        ));
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        client.set_read_timeout(None)?;
        // Bytes the client sent after the CONNECT head are in the reader's buffer.
        let buffered = reader.buffer().to_vec();
        let mut up_write = upstream.try_clone()?;
        up_write.write_all(&buffered)?;
        let mut up_read = upstream;
        let mut client_write = client.try_clone()?;
        let down = std::thread::spawn(move || {
            let _ = std::io::copy(&mut up_read, &mut client_write);
            let _ = client_write.shutdown(Shutdown::Write);
        });
        let mut client_read = reader.into_inner();
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
        let _ = down.join();
        Ok(())
    }
}

fn run() -> Result<(), String> {
    let mut dir = PathBuf::from("wxpay-testproxy");
    let mut mode = Mode::Tunnel;
    let mut auth = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--state-dir" => dir = PathBuf::from(value()?),
            "--mode" => {
                mode = match value()?.as_str() {
                    "tunnel" => Mode::Tunnel,
                    "silent" => Mode::Silent,
                    other => return Err(format!("unknown mode {other}")),
                }
            }
            "--auth" => auth = Some(base64::engine::general_purpose::STANDARD.encode(value()?)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("log"))
        .map_err(|e| e.to_string())?;
    let proxy = Arc::new(Proxy {
        mode,
        auth,
        log: Mutex::new(log),
    });
    std::fs::write(dir.join("address"), format!("127.0.0.1:{port}\n"))
        .map_err(|e| e.to_string())?;
    for client in listener.incoming().flatten() {
        let proxy = Arc::clone(&proxy);
        std::thread::spawn(move || {
            let _ = proxy.serve(client);
        });
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("wxpay-testproxy: {e}");
        std::process::exit(2);
    }
}
