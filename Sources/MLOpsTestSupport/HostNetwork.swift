import Foundation
import MLOpsProcess

/// Hosts of their own on this machine, for tests of the system spread over
/// several: a network namespace per host, all joined by one bridge on a
/// private /24, each finding the others by name through its own /etc/hosts
/// (`ip netns exec` mounts /etc/netns/NAMESPACE/hosts over it). Needs root.
/// `remove()` takes every namespace, link and file away again.
package final class HostNetwork: Sendable {
    package static let ip = ["/usr/sbin/ip", "/sbin/ip", "/bin/ip"].first { FileManager.default.fileExists(atPath: $0) }
    /// Whether this machine can make one: root, with iproute2.
    package static var isAvailable: Bool { getuid() == 0 && ip != nil }

    private let tag: String
    private let addresses: [String: String]

    /// A host per name, addressed in order from 10.213.N.2 (N random);
    /// each alias is one more name for its hosts' addresses, as a DNS name
    /// with several records (a Kubernetes headless service) is.
    package init(hosts: [String], aliases: [String: [String]] = [:]) throws {
        guard let ip = Self.ip else { throw CommandFailed(command: "ip", output: "iproute2 is not installed") }
        tag = String(UUID().uuidString.prefix(4)).lowercased()
        let subnet = "10.213.\(Int.random(in: 1...254))"
        addresses = Dictionary(uniqueKeysWithValues: hosts.enumerated().map { ($1, "\(subnet).\($0 + 2)") })
        let named = addresses.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let aliased = aliases.sorted { $0.key < $1.key }.flatMap { alias, hosts in
            hosts.map { "\(addresses[$0]!) \(alias)" }
        }
        let hostsFile = (["127.0.0.1 localhost"] + named + aliased).joined(separator: "\n")
        do {
            try ChildProcess.output(ip, ["link", "add", bridge, "type", "bridge"])
            try ChildProcess.output(ip, ["link", "set", bridge, "up"])
            for (index, host) in hosts.enumerated() {
                let (inside, outside) = ("mlv\(tag)\(index)", "mlb\(tag)\(index)")
                let namespace = namespace(host)
                for arguments in [
                    ["netns", "add", namespace],
                    ["link", "add", inside, "type", "veth", "peer", "name", outside],
                    ["link", "set", inside, "netns", namespace],
                    ["link", "set", outside, "master", bridge, "up"],
                    ["-n", namespace, "addr", "add", "\(addresses[host]!)/24", "dev", inside],
                    ["-n", namespace, "link", "set", inside, "up"],
                    ["-n", namespace, "link", "set", "lo", "up"],
                ] {
                    try ChildProcess.output(ip, arguments)
                }
                try FileManager.default.createDirectory(atPath: etc(host), withIntermediateDirectories: true)
                try hostsFile.write(toFile: etc(host) + "/hosts", atomically: true, encoding: .utf8)
            }
        } catch {
            remove()
            throw error
        }
    }

    package func address(of host: String) -> String { addresses[host]! }

    /// The command prefix that runs a program on `host`.
    package func launcher(on host: String) -> [String] { [Self.ip!, "netns", "exec", namespace(host)] }

    /// Removes the namespaces (ending their links), the bridge and the hosts files.
    package func remove() {
        guard let ip = Self.ip else { return }
        for host in addresses.keys {
            _ = try? ChildProcess.output(ip, ["netns", "delete", namespace(host)])
            try? FileManager.default.removeItem(atPath: etc(host))
        }
        _ = try? ChildProcess.output(ip, ["link", "delete", bridge])
    }

    private var bridge: String { "mlbr\(tag)" }
    private func namespace(_ host: String) -> String { "mlops-\(tag)-\(host)" }
    private func etc(_ host: String) -> String { "/etc/netns/\(namespace(host))" }
}
