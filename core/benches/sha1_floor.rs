//! The floor for `wx_deliver_sign`: SHA-1 (hex) of the already-joined bytes,
//! in Rust alone, with nothing of PHP around it.
//!
//!   cargo bench -p wxpay-core --bench sha1_floor -- FILE
//!
//! Prints `sha1_floor_ns MEDIAN` (median over rounds of the per-call mean).

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let path = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let data = match path {
        Some(p) => std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}")),
        None => b"appid=wwwwb4f85f3a797777&appkey=KEY&deliver_msg=ok".to_vec(),
    };
    let (rounds, per_round) = (31, 20_000);
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..per_round {
            black_box(wxpay_core::sign::sha1_hex(black_box(&data)));
        }
        samples.push(start.elapsed().as_nanos() as f64 / per_round as f64);
    }
    samples.sort_by(f64::total_cmp);
    println!("sha1_floor_ns {:.1}", samples[rounds / 2]);
}
