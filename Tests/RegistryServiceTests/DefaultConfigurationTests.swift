import ArgumentParser
import Foundation
import MLOpsServiceConfiguration
import RegistryRules
import Testing

@Suite("The shipped configuration")
struct DefaultConfigurationTests {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func registryConfigurationParsesAndMatchesTheDefaultPolicy() throws {
        let path = root.appendingPathComponent("services/model-registry/config.json").path
        let settings = try ServiceSettings.load(ServiceSettings.self, from: path)
        #expect(settings.listen.port == 7001)
        #expect(settings.metrics.port == 9101)
        #expect(settings.tls.requireClientCertificate)
        #expect(settings.database.maxConnections == 10)
        struct PolicySection: Decodable { var policy: RegistryPolicy }
        let own = try ServiceSettings.load(PolicySection.self, from: path)
        #expect(try own.policy.validated() == RegistryPolicy.default)
    }

    @Test func flagsAndEnvironmentOverrideTheFile() throws {
        var settings = ServiceSettings()
        let options = try ServiceOptions.parse(["--port", "9", "--allow-anonymous-clients", "--metrics-port", "0"])
        options.apply(to: &settings, environment: ["MLOPS_DATABASE_URL": "postgres://u@h/db"])
        #expect(settings.listen.port == 9)
        #expect(!settings.tls.requireClientCertificate)
        #expect(settings.database.url == "postgres://u@h/db")
        #expect(settings.metrics.port == 0)
    }

    @Test func aBrokenFileIsAClearError() throws {
        let path = NSTemporaryDirectory() + "/broken-\(UUID().uuidString).json"
        try "{\"listen\": {\"port\": \"seven\"}}".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: SettingsError.self) { try ServiceSettings.load(ServiceSettings.self, from: path) }
        #expect(error?.description.contains(path) == true)
        #expect(throws: SettingsError.self) { try ServiceSettings.load(ServiceSettings.self, from: path + ".missing") }
    }
}
