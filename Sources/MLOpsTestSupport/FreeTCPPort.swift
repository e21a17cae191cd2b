import Foundation
import MLOpsProcess

/// A TCP port nobody listens on right now, below the ephemeral range so a
/// client socket cannot take it in the meantime.
package enum FreeTCPPort {
    package static func find() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_000)
            if isFree(port) { return port }
        }
        throw CommandFailed(command: "find a free port", output: "none free in 20000..<32000")
    }

    /// A base port such that base + each offset is free (for `mlopsctl dev`'s port layout).
    package static func findBase(in range: Range<Int>, offsets: [Int]) throws -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: range)
            if offsets.allSatisfy({ isFree(base + $0) }) { return base }
        }
        throw CommandFailed(command: "find free ports", output: "none free from \(range) at offsets \(offsets)")
    }

    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
