//! Counting test results from the runners' own output, for one closing line.

/// Passed, failed and skipped tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// The sum over every runner.
#[derive(Debug, Default)]
pub struct Totals {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Totals {
    pub fn add(&mut self, counts: &Counts) {
        self.passed += counts.passed;
        self.failed += counts.failed;
        self.skipped += counts.skipped;
    }

    /// `total: N passed, N failed, N skipped`.
    pub fn closing_line(&self) -> String {
        format!(
            "total: {} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Reads cargo test's `test result: ok. 3 passed; 0 failed; 1 ignored; ...` lines.
pub fn scan_cargo_test(line: &str, counts: &mut Counts) {
    let Some(rest) = line.strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        // Skip the leading "ok." / "FAILED." word.
        let (number, label) = match words.as_slice() {
            [_, n, label] | [n, label] => (*n, *label),
            _ => continue,
        };
        let Ok(n) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" => counts.passed += n,
            "failed" => counts.failed += n,
            "ignored" => counts.skipped += n,
            _ => {}
        }
    }
}

/// Reads Playwright's closing lines: `  5 passed (3.1s)`, `  1 failed`, `  2 skipped`, `  1 flaky`.
pub fn scan_playwright(line: &str, counts: &mut Counts) {
    let mut words = line.split_whitespace();
    let (Some(number), Some(label)) = (words.next(), words.next()) else {
        return;
    };
    let Ok(n) = number.parse::<u64>() else { return };
    match label {
        // A flaky test passed on retry; count it as passed, it was reported above.
        "passed" | "flaky" => counts.passed += n,
        "failed" | "interrupted" => counts.failed += n,
        "skipped" | "did" => counts.skipped += n, // "did not run"
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_test_result_lines_are_summed() {
        let mut c = Counts::default();
        scan_cargo_test(
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            &mut c,
        );
        scan_cargo_test(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
            &mut c,
        );
        scan_cargo_test("running 5 tests", &mut c);
        assert_eq!(
            c,
            Counts {
                passed: 15,
                failed: 2,
                skipped: 1
            }
        );
    }

    #[test]
    fn playwright_closing_lines_are_summed() {
        let mut c = Counts::default();
        for line in [
            "  1 failed",
            "    [chromium] › a.spec.ts:3:1 › x",
            "  1 flaky",
            "  6 passed (4.2s)",
            "  2 skipped",
        ] {
            scan_playwright(line, &mut c);
        }
        assert_eq!(
            c,
            Counts {
                passed: 7,
                failed: 1,
                skipped: 2
            }
        );
    }

    #[test]
    fn the_closing_line_has_the_plain_shape_ci_reads() {
        let mut t = Totals::default();
        t.add(&Counts {
            passed: 4,
            failed: 1,
            skipped: 0,
        });
        assert_eq!(t.closing_line(), "total: 4 passed, 1 failed, 0 skipped");
    }
}
