// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "airwave",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "airwave", targets: ["airwave"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries, found with pkg-config.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The few C calls Swift cannot make itself (variadic prctl, async-signal-safe flags).
        .target(name: "CSupport"),

        // The FastCGI binding: accept a request, read its parameters, write the answer.
        .target(name: "FastCGI", dependencies: ["CFastCGI", "CSupport"]),
        // Writes JSON straight into bytes (answers, status).
        .target(name: "JSON"),
        // The store: read-only SQLite, one prepared query per endpoint, schema checks.
        .target(name: "Store", dependencies: ["CSQLite", "CSupport", .product(name: "Logging", package: "swift-log")]),
        // Deterministic Air-Wave libraries for demos, tests and benchmarks.
        .target(name: "DemoData", dependencies: ["Store"]),
        // The API: routing, validation, JSON, the inner TTL+LRU cache.
        .target(name: "API", dependencies: ["Store", "JSON", .product(name: "Logging", package: "swift-log")]),
        // The pre-fork worker pool: master, workers, signals, scoreboard.
        .target(name: "Pool", dependencies: ["FastCGI", "JSON", "CSupport",
                                             .product(name: "Logging", package: "swift-log")]),
        // The one command-line tool.
        .executableTarget(name: "airwave", dependencies: [
            "Pool", "API", "Store", "DemoData", "CSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "StoreTests", dependencies: ["Store", "DemoData"]),
        .testTarget(name: "APITests", dependencies: ["API", "JSON", "Store", "DemoData"]),
        .testTarget(name: "PoolTests", dependencies: ["Pool"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Store", "DemoData"]),
    ]
)
