use super::*;

fn engine(jitter_secs: i64) -> AuthorizerRefresh {
    AuthorizerRefresh::new(
        SchedulerConfig {
            jitter_secs,
            ..SchedulerConfig::default()
        },
        "test".into(),
    )
}

#[test]
fn the_jitter_is_stable_per_account_within_its_range_and_spreads_a_fleet() {
    let engine = engine(300);
    let values: Vec<i64> = (0..1000)
        .map(|i| engine.jitter(&format!("wx{i:016x}")))
        .collect();
    assert!(values.iter().all(|v| (0..300).contains(v)), "{values:?}");
    let distinct: std::collections::HashSet<_> = values.iter().collect();
    assert!(distinct.len() > 250, "spread: {} values", distinct.len());
    // The hash is pinned: "ab" → (97 × 31 + 98) % 300.
    assert_eq!(engine.jitter("ab"), (97 * 31 + 98) % 300);
    assert_eq!(engine.jitter("ab"), engine.jitter("ab"));
    assert_eq!(self::engine(0).jitter("ab"), 0, "no jitter configured");
    assert_eq!(self::engine(-5).jitter("ab"), 0);
}

#[test]
fn failed_refreshes_back_off_doubling_from_the_base_up_to_the_cap() {
    let engine = engine(0);
    let waits: Vec<i64> = (0..10).map(|n| engine.backoff(n)).collect();
    assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 600, 600, 600]);
    assert_eq!(engine.backoff(-3), 5, "never below the base");
    assert_eq!(engine.backoff(i64::MAX), 600);
}
