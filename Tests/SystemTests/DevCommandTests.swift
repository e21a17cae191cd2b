import Foundation
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("mlopsctl dev: the whole system on this machine")
struct DevCommandTests {
    @Test func upStatusDownAndUpAgainWithTheDataKept() async throws {
        let (folder, base, location) = try devLocation()
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var (status, output) = try await mlopsctl(["dev", "up", "--repository", repository] + location)
        #expect(status == 0, "\(output)")
        #expect(output.contains("127.0.0.1:\(base)") && output.contains("Stop it: mlopsctl dev down"), "\(output)")
        do {
            (status, output) = try await mlopsctl(["dev", "status"] + location)
            #expect(status == 0 && output.components(separatedBy: "serving").count - 1 == 3, "\(output)")

            // Called with the environment `dev up` wrote.
            let lines = try String(contentsOfFile: folder + "/env", encoding: .utf8).split(separator: "\n")
            var environment: [String: String] = [:]
            for line in lines {
                let assignment = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
                environment[String(assignment[0])] = String(assignment[1])
            }
            (status, output) = try await mlopsctl(["registry", "create-model", "kept-model"], environment: environment)
            #expect(status == 0, "\(output)")

            // Each service's role owns its tables and can read no other's.
            let monitoringRole = PostgresConfiguration(
                host: folder + "/postgres",
                port: base + 18_439,
                user: "monitoring",
                database: "mlops",
                sslMode: "disable",
                applicationName: "dev-test"
            )
            let connection = try PostgresConnection(configuration: monitoringRole)
            #expect(throws: PostgresError.self) { try connection.query("SELECT count(*) FROM registered_models") }
            #expect(try connection.query("SELECT count(*) FROM predictions").count == 1)

            // The services' ports, metrics included, listen on loopback only; PostgreSQL on its socket only.
            let listening = try listeningAddresses()
            for port in devPortOffsets.dropLast().map({ base + $0 }) {
                #expect(listening[port] == ["0100007F"], "port \(port) listens on \(listening[port] ?? [])")
            }
            #expect(listening[base + devPortOffsets.last!] == nil)
        } catch {
            _ = try? await mlopsctl(["dev", "down"] + location)
            throw error
        }

        (status, output) = try await mlopsctl(["dev", "down"] + location)
        #expect(status == 0 && output.contains("stopped model-registry"), "\(output)")
        (status, _) = try await mlopsctl(["dev", "status"] + location)
        #expect(status == 1)

        (status, output) = try await mlopsctl(["dev", "up", "--repository", repository] + location)
        #expect(status == 0, "\(output)")
        let environment = [
            "MLOPS_REGISTRY_ADDRESS": "127.0.0.1:\(base)", "MLOPS_TLS_CA": folder + "/certs/ca.pem",
            "MLOPS_TLS_CERT": folder + "/certs/serving.pem", "MLOPS_TLS_KEY": folder + "/certs/serving.key",
        ]
        (status, output) = try await mlopsctl(["registry", "get-model", "kept-model"], environment: environment)
        #expect(status == 0 && output.contains("kept-model"), "\(output)")
        (status, output) = try await mlopsctl(["dev", "down", "--reset"] + location)
        #expect(status == 0 && !FileManager.default.fileExists(atPath: folder), "\(output)")
    }
}

@Suite("mlopsctl dev on an existing PostgreSQL", .temporaryPostgres)
struct DevCommandExistingServerTests {
    @Test func anExistingServerInsteadOfTheFoldersCluster() async throws {
        let database = try #require(TestDatabase.current)
        let (folder, _, location) = try devLocation()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = "postgres://postgres@127.0.0.1:\(database.cluster.port)/\(database.name)"
        var (status, output) = try await mlopsctl(
            ["dev", "up", "--repository", repository, "--database-url", url] + location
        )
        #expect(status == 0 && output.contains("PostgreSQL at postgres://postgres@127.0.0.1"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/postgres/data"))
        (status, output) = try await mlopsctl(["dev", "status"] + location)
        #expect(status == 0, "\(output)")
        // The services' tables are in the given database.
        let connection = try PostgresConnection(configuration: database.configuration)
        #expect(try connection.query("SELECT count(*) FROM retraining_decisions").count == 1)
        (status, output) = try await mlopsctl(["dev", "down", "--reset"] + location)
        #expect(status == 0, "\(output)")
    }
}

/// The local addresses (hex, as /proc/net/tcp writes them) of listening IPv4 TCP sockets, by port.
private func listeningAddresses() throws -> [Int: Set<String>] {
    var result: [Int: Set<String>] = [:]
    for line in try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8).split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[3] == "0A" else { continue }  // 0A: LISTEN
        let local = fields[1].split(separator: ":")
        guard local.count == 2, let port = Int(local[1], radix: 16) else { continue }
        result[port, default: []].insert(String(local[0]))
    }
    return result
}
