/// What the demo expected, and which of it did not happen.
struct DemoOutcome {
    private(set) var checked = 0
    private(set) var failures: [String] = []

    mutating func expect(_ happened: Bool, _ expectation: String) {
        checked += 1
        print((happened ? "  ✓ " : "  ✗ ") + expectation)
        if !happened { failures.append(expectation) }
    }
}
