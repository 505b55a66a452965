//! The faults the emulator injects during the soak: 30 % of every endpoint's
//! calls, the kind changing every 250 ms.

use std::time::Duration;

use rand::{Rng as _, SeedableRng as _};
use wechat_sim::Simulator;
use wechat_sim::faults::Fault;

/// Share of calls a fault affects.
const PROBABILITY: f64 = 0.3;

/// The kinds of failure, one at a time.
fn fault(kind: u8) -> Fault {
    let base = Fault {
        probability: Some(PROBABILITY),
        ..Fault::default()
    };
    match kind {
        0 => Fault {
            errcode: Some(-1),
            ..base
        },
        1 => Fault {
            http_status: Some(502),
            ..base
        },
        // Past the server's 2 s timeout.
        2 => Fault { hang: true, ..base },
        // WeChat did the work (rotated the refresh token); the answer is lost.
        3 => Fault {
            lost_answer: true,
            ..base
        },
        _ => Fault {
            latency_ms: Some(300),
            ..base
        },
    }
}

/// Rotates the fault on every endpoint until aborted.
pub fn rotate_faults(sim: Simulator, seed: u64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x5eed);
        loop {
            sim.faults().set("*", fault(rng.gen_range(0..5)));
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    })
}
