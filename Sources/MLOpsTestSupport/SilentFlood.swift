import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Plain TCP connections that never send anything, from `source` (another
/// loopback address, 127.0.0.2, stands for another host), kept at
/// `connections` open: each one the server closes is opened again 50 ms later.
package final class SilentFlood: Sendable {
    private let port: Int
    private let source: String
    private let connections: Int
    private let count = NIOLockedValueBox(0)

    package init(port: Int, from source: String, connections: Int) {
        self.port = port
        self.source = source
        self.connections = connections
    }

    /// How many connections it has opened so far.
    package var opened: Int { count.withLockedValue { $0 } }

    /// Floods until cancelled, from an event loop of its own: the test
    /// process's shared loops stay free for the suites running beside it.
    package func run() async {
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { loop.shutdownGracefully { _ in } }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    while !Task.isCancelled {
                        guard
                            let channel = try? await ClientBootstrap(group: loop)
                                .bind(to: try SocketAddress(ipAddress: self.source, port: 0))
                                .connect(host: "127.0.0.1", port: self.port).get()
                        else {
                            try? await Task.sleep(for: .milliseconds(10))
                            continue
                        }
                        self.count.withLockedValue { $0 += 1 }
                        await withTaskCancellationHandler {
                            try? await channel.closeFuture.get()
                        } onCancel: {
                            channel.close(promise: nil)
                        }
                        // Back at once, but not so fast that the test process's own event loops,
                        // which other tests share, do nothing else.
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                }
            }
        }
    }
}
