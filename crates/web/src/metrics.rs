//! Prometheus metrics for `/metrics` (the `prometheus` crate's registry and text format, ADR 0018):
//! every request counted and timed by method, route template and status class, so labels stay few
//! and carry no ids or personal data; the store's import counters are read when scraped.

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    imports: IntGauge,
    import_rows: IntGauge,
    migrations: IntGauge,
}

/// Latency buckets in seconds: a page in tens of milliseconds, a framework's first computation in seconds.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let labels = &["method", "route", "status"];
        let requests = IntCounterVec::new(Opts::new("waymark_http_requests_total", "HTTP requests answered"), labels)
            .expect("a valid metric definition");
        let latency = HistogramVec::new(
            HistogramOpts::new("waymark_http_request_duration_seconds", "Time to answer an HTTP request").buckets(BUCKETS.to_vec()),
            labels,
        )
        .expect("a valid metric definition");
        let imports = IntGauge::new("waymark_imports", "Fact and reference-data imports recorded in the store").expect("a valid metric");
        let import_rows = IntGauge::new("waymark_import_rows", "Rows read by those imports").expect("a valid metric");
        let migrations = IntGauge::new("waymark_schema_migrations", "Schema migrations applied to the database").expect("a valid metric");
        for c in [Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>, Box::new(latency.clone())] {
            registry.register(c).expect("each metric registered once");
        }
        for g in [&imports, &import_rows, &migrations] {
            registry.register(Box::new(g.clone())).expect("each metric registered once");
        }
        Self { registry, requests, latency, imports, import_rows, migrations }
    }

    /// Count and time one request. `route` is the matched route template (`/children/{id}`), never a path.
    pub fn observe(&self, method: &axum::http::Method, route: &str, status: u16, seconds: f64) {
        let method = match method.as_str() {
            m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => m,
            _ => "other",
        };
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let labels = [method, route, class];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The store's counters as of now.
    pub fn set_store(&self, counts: waymark_storage::OpsCounts) {
        self.imports.set(counts.imports);
        self.import_rows.set(counts.import_rows);
        self.migrations.set(counts.migrations);
    }

    /// Everything, in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into memory cannot fail for these metric types.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
