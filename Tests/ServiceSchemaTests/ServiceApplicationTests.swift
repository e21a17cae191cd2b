import Foundation
import GateService
import Logging
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import MLOpsTestSupport
import MonitoringService
import RegistryService
import Testing

@Suite("Each service as the runtime runs it: the same protocol, every method routed")
struct ServiceApplicationTests {
    /// Builds the application as its executable would, from `{}` (no
    /// configuration file), and lists the method paths its RPC services route.
    private func routedPaths<Application: ServiceApplication>(_: Application.Type) throws -> Set<String> {
        let certificates = try TestCertificates()
        let issued = try certificates.issue(commonName: Application.executable)
        var common = ServiceSettings()
        common.tls.certificate = issued.certificatePath
        common.tls.key = issued.keyPath
        common.tls.ca = certificates.authorityPath
        let logger = Logger(label: "test")
        let settings = try ServiceSettings.decode(Application.Settings.self, from: Data("{}".utf8))
        let application = try Application(settings: settings, common: common, logger: logger)
        // Nothing here touches the database: the pool connects on first use.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(environment: [:], applicationName: Application.executable),
            logger: logger
        )
        defer { pool.close() }
        var router = RPCRouter()
        for service in try application.components(pool: pool).rpcServices { service.register(in: &router) }
        return Set(router.handlers.keys)
    }

    private func declaredPaths(_ service: String) -> Set<String> {
        let schema = ProtoCatalog.files.flatMap(\.services).first { $0.fullName == service }
        return Set(schema?.methods.map { "/\(service)/\($0.name)" } ?? [])
    }

    @Test func theRegistryRoutesEveryMethodOfItsService() throws {
        let routed = try routedPaths(RegistryApplication.self)
        #expect(routed.count == 22)
        #expect(routed == declaredPaths(RegistryApplication.rpcServiceName))
    }

    @Test func monitoringRoutesEveryMethodOfItsService() throws {
        let routed = try routedPaths(MonitoringApplication.self)
        #expect(routed.count == 13)
        #expect(routed == declaredPaths(MonitoringApplication.rpcServiceName))
    }

    @Test func theGateRoutesEveryMethodOfItsService() throws {
        let routed = try routedPaths(GateApplication.self)
        #expect(routed.count == 5)
        #expect(routed == declaredPaths(GateApplication.rpcServiceName))
    }

    @Test func aGatePolicyThatCannotWorkFailsBeforeTheDatabaseIsTouched() throws {
        let settings = try ServiceSettings.decode(
            GateSettings.self,
            from: Data(#"{"policy": {"confidence": 1.5}}"#.utf8)
        )
        let error = #expect(throws: SettingsError.self) {
            _ = try GateApplication(settings: settings, common: ServiceSettings(), logger: Logger(label: "test"))
        }
        #expect(error?.description.contains("the gate policy is not valid: confidence must be in (0, 1)") == true)
    }
}
