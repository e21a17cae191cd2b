import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

// gRPC Swift 2 echo of raw bytes, as measured in shared/benchmarks/PEERS.md:
//   GRPCEchoBenchmark server <port> <cert> <key> <ca>
//   GRPCEchoBenchmark client <port> <cert> <key> <ca> <payload> <inflight> <seconds> <warmup> [ours]
// The client prints one line in the format of our own benchmark. With
// `ours` it calls our server's gRPC path instead (mlops.v1.Benchmark/Echo),
// the payload wrapped as the `data` field of an ArtifactChunk: the same
// client against both servers.

let callsOurs = CommandLine.arguments.count > 10 && CommandLine.arguments[10] == "ours"
let method =
    callsOurs
    ? MethodDescriptor(fullyQualifiedService: "mlops.v1.Benchmark", method: "Echo")
    : MethodDescriptor(fullyQualifiedService: "bench.Echo", method: "Echo")

/// `payload` as protobuf field 1 (bytes): an ArtifactChunk with only `data` set.
func artifactChunk(_ payload: [UInt8]) -> [UInt8] {
    guard !payload.isEmpty else { return [] }
    var bytes: [UInt8] = [0x0A]
    var length = payload.count
    while length >= 0x80 {
        bytes.append(UInt8(length & 0x7F) | 0x80)
        length >>= 7
    }
    bytes.append(UInt8(length))
    return bytes + payload
}

struct BytesCoder: MessageSerializer, MessageDeserializer {
    typealias Message = [UInt8]
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] {
        bytes.withUnsafeBytes { Array($0) }
    }
}

struct EchoService: RegistrableRPCService {
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(forMethod: method, deserializer: BytesCoder(), serializer: BytesCoder()) {
            request,
            _ in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: ServerResponse(message: single.message))
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 6 else {
    print("usage: GRPCEchoBenchmark server|client <port> <cert> <key> <ca> [payload inflight seconds warmup]")
    exit(2)
}
let port = Int(arguments[2])!
let (certificate, key, ca) = (arguments[3], arguments[4], arguments[5])

if arguments[1] == "server" {
    let server = GRPCServer(
        transport: .http2NIOPosix(
            address: .ipv4(host: "127.0.0.1", port: port),
            transportSecurity: .mTLS(
                certificateChain: [.file(path: certificate, format: .pem)],
                privateKey: .file(path: key, format: .pem)
            ) { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
        ),
        services: [EchoService()]
    )
    try await server.serve()
} else {
    let payload = Int(arguments[6])!
    let inflight = Int(arguments[7])!
    let seconds = Double(arguments[8])!
    let warmup = Double(arguments[9])!
    let raw = [UInt8](repeating: 0x5A, count: payload)
    let message = callsOurs ? artifactChunk(raw) : raw
    let latencies = try await withGRPCClient(
        transport: .http2NIOPosix(
            target: .ipv4(address: "127.0.0.1", port: port),
            transportSecurity: .mTLS(
                certificateChain: [.file(path: certificate, format: .pem)],
                privateKey: .file(path: key, format: .pem)
            ) { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
        )
    ) { client in
        @Sendable func call() async throws {
            _ = try await client.unary(
                request: ClientRequest(message: message),
                descriptor: method,
                serializer: BytesCoder(),
                deserializer: BytesCoder(),
                options: .defaults
            ) { try $0.message }
        }
        try await call()
        let clock = ContinuousClock()
        let warmupEnd = clock.now + .seconds(warmup)
        let end = warmupEnd + .seconds(seconds)
        return try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<inflight {
                group.addTask {
                    var samples: [UInt64] = []
                    while true {
                        let start = clock.now
                        if start >= end { break }
                        try await call()
                        if start >= warmupEnd {
                            let elapsed = (clock.now - start).components
                            samples.append(
                                UInt64(elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000)
                            )
                        }
                    }
                    return samples
                }
            }
            var all: [UInt64] = []
            for try await samples in group { all += samples }
            return all
        }
    }
    let sorted = latencies.sorted()
    func percentile(_ p: Double) -> UInt64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p / 100))]
    }
    print(
        String(
            format: "grpc payload=%d inflight=%d calls_per_s=%.0f p50_us=%llu p99_us=%llu",
            payload,
            inflight,
            Double(sorted.count) / seconds,
            percentile(50),
            percentile(99)
        )
    )
}
