import Foundation
import GatePolicy
import GateService
import MLOpsServiceConfiguration
import MLOpsTLSTransport
import Testing

@Suite("The gate's own settings")
struct GateSettingsTests {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theShippedConfigurationHoldsTheSpecDefaults() throws {
        let data = try Data(contentsOf: root.appendingPathComponent("services/retraining-gate/config.json"))
        let settings = try JSONDecoder().decode(GateSettings.self, from: data)
        #expect(try settings.policy?.validated() == GateThresholds())
        #expect(
            settings.registry?.address == "model-registry:7001" && settings.registry?.serverName == "model-registry"
        )
        #expect(settings.monitoring?.lookbackHours == 24)
        #expect(settings.promotions?.claimSeconds == 30)
        #expect(settings.access?.loggedEvaluators == GateHandlers.defaultLoggedEvaluators)
    }

    @Test func aPeerMayBeSeveralReplicas() throws {
        let replicas = try GateSettings.Peer(address: "registry-a:7001, registry-b:7001").targets()
        #expect(replicas == [.init(host: "registry-a", port: 7001), .init(host: "registry-b", port: 7001)])
        #expect(throws: SettingsError.self) { try GateSettings.Peer(address: "registry-a:7001,registry-b").targets() }
    }
}
