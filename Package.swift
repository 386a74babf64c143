// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "atlas",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Atlas", targets: ["Atlas"]),
        .executable(name: "atlas", targets: ["atlas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CShapelib", pkgConfig: "shapelib", providers: [.apt(["libshp-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "Atlas",
            dependencies: ["CGEOS", "CPROJ", "CShapelib", "CZlib", "CSQLite", "CCrypto", "Yams"]
        ),
        .executableTarget(
            name: "atlas",
            dependencies: ["Atlas", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "AtlasTests", dependencies: ["Atlas"]),
        .testTarget(name: "AtlasCLITests", dependencies: ["atlas", "Atlas"]),
    ],
    swiftLanguageModes: [.v6]
)
