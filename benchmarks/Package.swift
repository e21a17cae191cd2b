// swift-tools-version: 6.1
import Foundation
import PackageDescription

// The benchmarks, apart from what ships: they use the control plane's
// library products as any user's code would. Run by benchmarks/run-*.sh.

// A path dependency is known by its folder's name, whatever the clone is called.
let controlPlane = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let client: Target.Dependency = .product(name: "MLOpsClient", package: controlPlane)
let loadGeneration: Target.Dependency = .product(name: "LoadGeneration", package: controlPlane)

let package = Package(
    name: "mlops-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .target(name: "BenchmarkSupport", dependencies: [client], swiftSettings: swiftSettings),
        .executableTarget(
            name: "RPCBenchmark",
            dependencies: [
                client, argumentParser, .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RegistryBenchmark",
            dependencies: ["BenchmarkSupport", client, loadGeneration, argumentParser],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GateBenchmark",
            dependencies: ["BenchmarkSupport", client, loadGeneration, argumentParser],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MonitoringBenchmark",
            dependencies: ["BenchmarkSupport", client, loadGeneration, argumentParser],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DriftBenchmark",
            dependencies: ["BenchmarkSupport", .product(name: "DriftEngine", package: controlPlane), argumentParser],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PostgresBenchmark",
            dependencies: [
                .product(name: "MLOpsPostgres", package: controlPlane), argumentParser,
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
