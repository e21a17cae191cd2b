// swift-tools-version: 6.1
import PackageDescription

// The peer our transport is compared with: the same echo over grpc-swift-2
// (HTTP/2 over TLS through swift-nio-ssl). Its own package, so nothing of
// the product depends on it. Run by benchmarks/run-rpc.sh.
let package = Package(
    name: "grpc-peer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.0"),
    ],
    targets: [
        .executableTarget(
            name: "GRPCEchoBenchmark",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
