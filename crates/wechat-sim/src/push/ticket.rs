//! The ticket schedule: push on start, then every interval of emulator time.

use std::time::Duration;

use crate::Simulator;
use crate::clock::secs;

/// Run forever: push when due, sleep until the next due time or a clock advance.
pub async fn run(sim: Simulator) {
    let interval = secs(sim.config().ticket_interval).max(1);
    let mut advanced = sim.clock().subscribe();
    let mut last_push: Option<i64> = None;
    loop {
        let now = sim.clock().now();
        let due = last_push.map_or(now, |t| t.saturating_add(interval));
        if now >= due {
            // A stopped push service skips its turn; api_start_push_ticket pushes directly.
            if !sim.read_state(|s| s.ticket_push_stopped) {
                sim.push_ticket_now().await;
            }
            // Scheduled from when the push began, so a clock advance during a slow push still counts.
            last_push = Some(now);
            continue;
        }
        let wait = Duration::from_secs(u64::try_from(due - now).unwrap_or(1));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            changed = advanced.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}
