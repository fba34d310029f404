//! Figures and verdicts: each scenario adds its numbers and its failed assertions here; the
//! suite prints them all and exits non-zero if any assertion failed.

use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Default)]
pub struct Report {
    sections: Vec<(String, Vec<(String, String)>)>,
    pub failures: Vec<String>,
    pub passed: usize,
}

impl Report {
    pub fn section(&mut self, title: impl Into<String>) {
        let title = title.into();
        println!("\n== {title}");
        self.sections.push((title, Vec::new()));
    }

    pub fn figure(&mut self, name: impl Into<String>, value: impl std::fmt::Display) {
        let (name, value) = (name.into(), value.to_string());
        println!("   {name:<34} {value}");
        if let Some((_, figures)) = self.sections.last_mut() {
            figures.push((name, value));
        }
    }

    /// Records an assertion: `ok`, or a failure described by `what`.
    pub fn check(&mut self, ok: bool, what: impl Into<String>) {
        let what = what.into();
        let section = self
            .sections
            .last()
            .map(|(t, _)| t.clone())
            .unwrap_or_default();
        if ok {
            self.passed += 1;
            println!("   ok    {what}");
        } else {
            println!("   FAIL  {what}");
            self.failures.push(format!("{section}: {what}"));
        }
    }

    /// The closing summary (markdown, ready for a note or the README).
    pub fn summary(&self) -> String {
        let mut out = String::from("| scenario | figure | value |\n| --- | --- | --- |\n");
        for (title, figures) in &self.sections {
            for (name, value) in figures {
                out.push_str(&format!("| {title} | {name} | {value} |\n"));
            }
        }
        out
    }
}

/// Counts of outcomes by label (`201`, `503`, `transport`, …).
#[derive(Default, Clone, Debug)]
pub struct Tally(pub BTreeMap<String, u64>);

impl Tally {
    pub fn add(&mut self, label: impl Into<String>) {
        *self.0.entry(label.into()).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Tally) {
        for (k, v) in &other.0 {
            *self.0.entry(k.clone()).or_default() += v;
        }
    }

    pub fn get(&self, label: &str) -> u64 {
        self.0.get(label).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return write!(f, "none");
        }
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        write!(f, "{}", parts.join(", "))
    }
}

/// Latency percentiles of a set of samples.
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Percentiles {
    pub fn of(samples: &mut [Duration]) -> Self {
        samples.sort_unstable();
        let at = |q: f64| -> Duration {
            if samples.is_empty() {
                return Duration::ZERO;
            }
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i]
        };
        Self {
            count: samples.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {} / p95 {} / p99 {} / max {} ms ({} requests)",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}
