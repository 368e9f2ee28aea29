//! The floor for `wx_deliver_sign` and the core's own share of it:
//!
//!   cargo bench -p wxpay-core --bench sha1_floor -- FILE
//!
//! FILE holds the joined string of the benchmark's array (`k=v&k=v...`).
//! Prints `sha1_floor_ns` (SHA-1 of those bytes, hex, in Rust alone),
//! `core_sign_ns` (the core's whole rule over the same 64 arrays bench/sign.php
//! signs in turn: lowercase, order, join, SHA-1), `layout_sign_ns` (the same
//! arrays through a remembered `Layout`, as the binding signs the keys it
//! signed last) and `plain_sign_ns` (the rule written plainly with a
//! BTreeMap), each the median over rounds of the per-call mean.

use std::hint::black_box;
use std::time::Instant;
use wxpay_core::wire::layout::Layout;
use wxpay_core::wire::sign::SignInput;
use wxpay_core::wire::Scalar;

fn median(mut f: impl FnMut()) -> f64 {
    let (rounds, per_round) = (31, 20_000);
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..per_round {
            f();
        }
        samples.push(start.elapsed().as_nanos() as f64 / per_round as f64);
    }
    samples.sort_by(f64::total_cmp);
    samples[rounds / 2]
}

fn main() {
    let path = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let data = match path {
        Some(p) => std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}")),
        None => b"appid=wwwwb4f85f3a797777&appkey=KEY&deliver_msg=ok".to_vec(),
    };
    let pairs: Vec<(&[u8], &[u8])> = data
        .split(|&b| b == b'&')
        .map(|kv| {
            let at = kv.iter().position(|&b| b == b'=').unwrap_or(kv.len());
            (&kv[..at], kv.get(at + 1..).unwrap_or_default())
        })
        .collect();
    // The 64 arrays bench/sign.php signs in turn: three order-specific
    // fields first (as `$order + $obj` builds them), then the others.
    let varied: Vec<Vec<(Vec<u8>, Vec<u8>)>> = (0..64)
        .map(|k| {
            let mut v = vec![
                (
                    b"out_trade_no".to_vec(),
                    format!("JfuKdiBig4z{k:05}").into_bytes(),
                ),
                (
                    b"transid".to_vec(),
                    format!("12186149012014052733{k:08}").into_bytes(),
                ),
                (
                    b"deliver_timestamp".to_vec(),
                    (1_400_000_000 + k).to_string().into_bytes(),
                ),
            ];
            let varying = [&b"out_trade_no"[..], b"transid", b"deliver_timestamp"];
            let fixed = pairs.iter().filter(|(k, _)| !varying.contains(k));
            v.extend(fixed.map(|&(k, val)| (k.to_vec(), val.to_vec())));
            v
        })
        .collect();
    let floor = median(|| {
        black_box(wxpay_core::wire::sign::sha1_hex(black_box(&data)));
    });
    let mut turn = 0;
    let core = median(|| {
        turn = (turn + 1) & 63;
        let pairs = black_box(&varied[turn]);
        let mut input = SignInput::with_capacity(pairs.len());
        for (k, v) in pairs {
            input.insert(Scalar::bytes(k), Scalar::bytes(v));
        }
        let order = input.byte_order();
        black_box(input.signature(&order));
    });
    // The same arrays through a remembered layout, as the binding signs
    // an array with the keys it signed last.
    let mut layout = Layout::default();
    {
        let pairs = &varied[0];
        let mut input = SignInput::with_capacity(pairs.len());
        input.extend(
            pairs
                .iter()
                .map(|(k, v)| (Scalar::bytes(k), Scalar::bytes(v))),
        );
        let order = input.byte_order();
        layout.remember(pairs.iter().map(|(k, _)| Scalar::bytes(k)), &input, &order);
    }
    let by_layout = median(|| {
        turn = (turn + 1) & 63;
        let pairs = black_box(&varied[turn]);
        let mut keys = layout.matcher();
        let mut values: Vec<Scalar<'_>> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            assert!(keys.next(&Scalar::bytes(k)));
            values.push(Scalar::bytes(v));
        }
        assert!(keys.done());
        black_box(layout.signature(&values).unwrap());
    });
    // The rule written plainly (a BTreeMap of lowercased keys, joined, hashed).
    let plain = median(|| {
        turn = (turn + 1) & 63;
        let mut map = std::collections::BTreeMap::new();
        for (k, v) in black_box(&varied[turn]) {
            map.insert(k.to_ascii_lowercase(), v);
        }
        let mut joined = Vec::new();
        for (n, (k, v)) in map.iter().enumerate() {
            if n > 0 {
                joined.push(b'&');
            }
            joined.extend_from_slice(k);
            joined.push(b'=');
            joined.extend_from_slice(v);
        }
        black_box(wxpay_core::wire::sign::sha1_hex(&joined));
    });
    println!("sha1_floor_ns {floor:.1}\ncore_sign_ns {core:.1}\nlayout_sign_ns {by_layout:.1}\nplain_sign_ns {plain:.1}");
}
