import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every address a target's host name stands for (a DNS name with several
/// records, such as a Kubernetes headless service), looked up with
/// getaddrinfo on NIO's thread pool: it blocks, so never on an event loop.
enum TargetResolver {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func resolve(_ target: RPCClientConfiguration.Target) async throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: target.host, port: target.port) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive { try lookUp(target) }
    }

    private static func lookUp(_ target: RPCClientConfiguration.Target) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let list else {
            throw Failure(description: "cannot resolve \(target.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: target.host))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: target.host))
                    }
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        // getaddrinfo repeats an address per protocol it could serve; once each.
        var seen: Set<SocketAddress> = []
        return addresses.filter { seen.insert($0).inserted }
    }
}
