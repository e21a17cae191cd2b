/// The gates' thresholds (shared/specs/gate.md; defaults as it gives them),
/// read from the gate's configuration.
package struct GateThresholds: Sendable, Equatable, Codable {
    package var minLabeledSamples = 200
    package var minCoveragePct = 0.30
    package var minF1Gain = 0.01
    package var maxBrierIncrease = 0.005
    package var requireF1GainLowerBoundPositive = true
    package var minF1 = 0.0
    /// ROC AUC is undefined with one class: this gate then fails, saying so.
    package var minRocAUC = 0.0
    package var bootstrapResamples = 1000
    package var confidence = 0.95
    package var decisionThreshold = 0.5

    package init() {}

    package init(from decoder: any Decoder) throws {
        // Every key optional: a configuration names only what it changes.
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = GateThresholds()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        minLabeledSamples = try value(.minLabeledSamples, defaults.minLabeledSamples)
        minCoveragePct = try value(.minCoveragePct, defaults.minCoveragePct)
        minF1Gain = try value(.minF1Gain, defaults.minF1Gain)
        maxBrierIncrease = try value(.maxBrierIncrease, defaults.maxBrierIncrease)
        requireF1GainLowerBoundPositive = try value(
            .requireF1GainLowerBoundPositive,
            defaults.requireF1GainLowerBoundPositive
        )
        minF1 = try value(.minF1, defaults.minF1)
        minRocAUC = try value(.minRocAUC, defaults.minRocAUC)
        bootstrapResamples = try value(.bootstrapResamples, defaults.bootstrapResamples)
        confidence = try value(.confidence, defaults.confidence)
        decisionThreshold = try value(.decisionThreshold, defaults.decisionThreshold)
    }

    /// Thresholds that can judge anything: nothing negative, shares in range.
    package func validated() throws(InvalidThresholds) -> GateThresholds {
        guard minLabeledSamples >= 0 else { throw InvalidThresholds("minLabeledSamples must be ≥ 0") }
        guard (0...1).contains(minCoveragePct) else { throw InvalidThresholds("minCoveragePct must be in [0, 1]") }
        guard (1...100_000).contains(bootstrapResamples) else {
            throw InvalidThresholds("bootstrapResamples must be in 1...100000")
        }
        guard confidence > 0, confidence < 1 else { throw InvalidThresholds("confidence must be in (0, 1)") }
        guard decisionThreshold > 0, decisionThreshold <= 1 else {
            throw InvalidThresholds("decisionThreshold must be in (0, 1]")
        }
        for (name, value) in [
            ("minF1Gain", minF1Gain), ("maxBrierIncrease", maxBrierIncrease), ("minF1", minF1),
            ("minRocAUC", minRocAUC),
        ] where !value.isFinite {
            throw InvalidThresholds("\(name) must be a finite number")
        }
        return self
    }
}

package struct InvalidThresholds: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
