import CoreMetrics

/// The pool's statistics as swift-metrics gauges and a timer, labelled with
/// the pool's application name, for whichever backend the process bootstraps
/// (the services export them to Prometheus).
struct PoolMetrics: Sendable {
    private let inUse: Gauge
    private let idle: Gauge
    private let waiting: Gauge
    private let opened: Counter
    private let wait: Timer

    init(pool name: String, factory: any MetricsFactory) {
        let pool = ("pool", name)
        inUse = Gauge(label: "postgres_pool_connections", dimensions: [pool, ("state", "in_use")], factory: factory)
        idle = Gauge(label: "postgres_pool_connections", dimensions: [pool, ("state", "idle")], factory: factory)
        waiting = Gauge(label: "postgres_pool_waiters", dimensions: [pool], factory: factory)
        opened = Counter(label: "postgres_pool_connections_opened_total", dimensions: [pool], factory: factory)
        wait = Timer(label: "postgres_pool_wait_duration_seconds", dimensions: [pool], factory: factory)
    }

    func record(_ statistics: PostgresPool.Statistics) {
        inUse.record(statistics.inUse)
        idle.record(statistics.idle)
        waiting.record(statistics.waiting)
    }

    func connectionOpened() { opened.increment() }

    func waited(_ duration: Duration) { wait.recordInterval(duration) }
}

extension Timer {
    fileprivate func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
