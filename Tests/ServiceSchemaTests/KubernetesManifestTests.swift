import Foundation
import MLOpsProcess
import MLOpsServiceConfiguration
import Testing

/// `deploy/kubernetes/`: no cluster runs here, so the manifests are validated
/// against Kubernetes' own schemas (PyPI's kubernetes-validate, strict: an
/// unknown field fails) and checked against what the services and images are.
@Suite("The Kubernetes manifests")
struct KubernetesManifestTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let folder = root.appendingPathComponent("deploy/kubernetes")
    private static let services = ["model-registry", "monitoring", "retraining-gate"]

    private func validate(_ paths: [String]) throws -> String {
        try ChildProcess.output(
            "/usr/bin/env",
            ["python3", "-m", "kubernetes_validate", "--strict", "--quiet", "--no-warn"] + paths
        )
    }

    /// Every document of a YAML file, as JSON objects.
    private func documents(_ file: String) throws -> [[String: Any]] {
        let json = try ChildProcess.output(
            "/usr/bin/python3",
            [
                "-c", "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
                Self.folder.appendingPathComponent(file).path,
            ]
        )
        return try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    }

    @Test func everyManifestValidatesAgainstTheKubernetesSchemas() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }
        #expect(Set(files) == Set(Self.services.map { "\($0).yaml" } + ["secrets.example.yaml"]))
        _ = try validate(files.map { Self.folder.appendingPathComponent($0).path })

        // The validator is strict: a misspelt field fails it.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: broken) }
        let text = try String(contentsOf: Self.folder.appendingPathComponent("model-registry.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "readOnlyRootFilesystem:", with: "readOnlyRootFileSystem:")
            .write(to: broken, atomically: true, encoding: .utf8)
        #expect(throws: CommandFailed.self) { try validate([broken.path]) }

        let kustomization = try documents("kustomization.yaml")
        #expect(kustomization.first?["resources"] as? [String] == Self.services.map { "\($0).yaml" })
    }

    @Test func eachServiceRunsAsItsImageDoesWithItsShippedConfiguration() throws {
        let secrets = try documents("secrets.example.yaml")
        let secretNames = Set(secrets.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
        let databaseURLs =
            secrets.first { ($0["metadata"] as? [String: Any])?["name"] as? String == "mlops-database" }?[
                "stringData"
            ] as? [String: String]
        for name in Self.services {
            let resources = try documents("\(name).yaml")
            func resource(_ kind: String) throws -> [String: Any] {
                try #require(resources.first { $0["kind"] as? String == kind }, "\(name): no \(kind)")
            }
            let shipped = Self.root.appendingPathComponent("services/\(name)/config.json").path
            let settings = try ServiceSettings.load(ServiceSettings.self, from: shipped)

            // The ConfigMap is the configuration the image ships, word for word.
            let configMap = try resource("ConfigMap")
            let data = configMap["data"] as? [String: String]
            #expect(data?["\(name).json"] == (try String(contentsOfFile: shipped, encoding: .utf8)), "\(name)")

            let deployment = try resource("Deployment")
            let spec = try #require(deployment["spec"] as? [String: Any])
            #expect((spec["replicas"] as? Int ?? 0) >= 2, "\(name) runs replicas")
            #expect((spec["minReadySeconds"] as? Int ?? 0) > 30, "\(name): callers re-resolve every 30 s")
            let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
            let grace = try #require(pod["terminationGracePeriodSeconds"] as? Int)
            #expect(Double(grace) > settings.shutdownGraceSeconds, "\(name): SIGKILL before the drain ends")
            let podSecurity = pod["securityContext"] as? [String: Any]
            #expect(podSecurity?["runAsNonRoot"] as? Bool == true && podSecurity?["runAsUser"] as? Int == 10001)

            let container = try #require((pod["containers"] as? [[String: Any]])?.first)
            let security = container["securityContext"] as? [String: Any]
            #expect(security?["readOnlyRootFilesystem"] as? Bool == true, "\(name)")
            #expect(security?["allowPrivilegeEscalation"] as? Bool == false, "\(name)")
            let resourceLimits = container["resources"] as? [String: [String: Any]]
            #expect(resourceLimits?["requests"]?["memory"] != nil && resourceLimits?["limits"]?["memory"] != nil)

            // Probes: the service's own health check; liveness lets a database outage pass.
            let check = ["/usr/local/bin/\(name)", "--config", "/etc/mlops/\(name).json", "--health-check"]
            func probe(_ key: String) -> [String]? {
                ((container[key] as? [String: Any])?["exec"] as? [String: Any])?["command"] as? [String]
            }
            #expect(probe("readinessProbe") == check, "\(name)")
            #expect(probe("livenessProbe") == check + ["--alive"], "\(name)")

            let ports = (container["ports"] as? [[String: Any]] ?? []).compactMap { $0["containerPort"] as? Int }
            #expect(Set(ports) == [settings.listen.port, settings.metrics.port], "\(name)")

            // The files the configuration names come from the ConfigMap and the TLS Secret.
            let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
            let mountPaths = Set(mounts.compactMap { $0["mountPath"] as? String })
            #expect(mountPaths.contains("/etc/mlops/\(name).json"))
            for file in [settings.tls.certificate, settings.tls.key, settings.tls.ca] {
                let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
                #expect(mountPaths.contains(folder), "\(name): \(file)")
            }
            let volumes = pod["volumes"] as? [[String: Any]] ?? []
            let tlsSecret = volumes.compactMap { ($0["secret"] as? [String: Any])?["secretName"] as? String }
            #expect(tlsSecret == ["\(name)-tls"] && secretNames.contains("\(name)-tls"), "\(name)")
            let environment = container["env"] as? [[String: Any]] ?? []
            let database = environment.first { $0["name"] as? String == "MLOPS_DATABASE_URL" }
            let reference = (database?["valueFrom"] as? [String: Any])?["secretKeyRef"] as? [String: String]
            #expect(reference?["name"] == "mlops-database" && databaseURLs?[reference?["key"] ?? ""] != nil, "\(name)")

            // A headless Service, so the name resolves to every replica and clients balance.
            let service = try #require(try resource("Service")["spec"] as? [String: Any])
            #expect(service["clusterIP"] as? String == "None", "\(name)")
            let selector = service["selector"] as? [String: String]
            let labels = ((spec["template"] as? [String: Any])?["metadata"] as? [String: Any])?["labels"]
            #expect(selector?.allSatisfy { (labels as? [String: String])?[$0.key] == $0.value } == true)
            let budget = try #require(try resource("PodDisruptionBudget")["spec"] as? [String: Any])
            #expect(budget["maxUnavailable"] as? Int == 1, "\(name)")
        }
    }
}
