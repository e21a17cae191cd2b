import DriftEngine
import Foundation
import MonitoringService
import Testing

@Suite("The monitoring service's own settings")
struct MonitoringSettingsTests {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theShippedConfigurationParses() throws {
        let data = try Data(contentsOf: root.appendingPathComponent("services/monitoring/config.json"))
        var settings = try JSONDecoder().decode(MonitoringSettings.self, from: data)
        #expect(settings.artifactDirectory.path == "/var/lib/mlops/artifacts")
        settings.artifacts = .init(directory: "/tmp/x")  // as --artifacts-directory sets it
        #expect(settings.artifactDirectory.path == "/tmp/x")
        #expect(
            settings.schedule == [ScheduledWindow(model: "credit-risk-model", everySeconds: 3600, lookbackHours: 24)]
        )
        #expect(settings.driftOptions == DriftConfiguration())
    }

    @Test func driftSettingsBecomeOptionsWithTheirPrecedence() throws {
        let json = #"""
            {"drift": {"numeric": {"method": "psi", "threshold": 0.2}, "global": {"threshold": 0.01},
                       "perFeature": {"income": {"method": "ks"}}, "correction": "benjamini-hochberg",
                       "datasetDriftShare": 0.3, "includePredictionInRatio": true}}
            """#
        let options = try JSONDecoder().decode(MonitoringSettings.self, from: Data(json.utf8)).driftOptions
        var expected = DriftConfiguration()
        expected.kindMethods = [.numeric: .psi]
        expected.kindThresholds = [.numeric: 0.2]
        expected.threshold = 0.01
        expected.featureMethods = ["income": .kolmogorovSmirnov]
        expected.correction = .benjaminiHochberg
        expected.driftShare = 0.3
        expected.predictionInRatio = true
        #expect(options == expected)
        let unknown = #"{"drift": {"numeric": {"method": "magic"}}}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(MonitoringSettings.self, from: Data(unknown.utf8))
        }
    }

    @Test func scheduledWindowsEndOnWholeIntervals() {
        let hourly = ScheduledWindow(model: "m", everySeconds: 3600, lookbackHours: 24)
        #expect(hourly.nextEnd(after: 7_200_000) == 10_800_000)
        #expect(hourly.nextEnd(after: 7_200_001) == 10_800_000)
        #expect(hourly.nextEnd(after: 10_799_999) == 10_800_000)
    }
}
