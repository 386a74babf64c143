import Foundation
import Testing

@testable import Atlas

/// Malformed inputs made at test time from copies of the real files, patched byte by byte.
enum CorpusFiles {
    /// A copy of the 40 Dalarna care points (a 1,220-byte point .shp, 420-byte .shx, 18,218-byte
    /// .dbf with 40 records) in a fresh folder; returns the basename.
    static func carePoints() throws -> String {
        let folder = try TestData.temporaryFolder()
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(
                atPath: TestData.shared("dalarna/shp/vardcentraler_sjukhus.\(ext)"),
                toPath: folder + "/vardcentraler_sjukhus.\(ext)")
        }
        return folder + "/vardcentraler_sjukhus"
    }

    static func patch(_ path: String, _ body: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        body(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func write(_ text: String, name: String) throws -> String {
        let path = try TestData.temporaryFolder() + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func bigEndian(_ value: Int32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian, Array.init)
    }

    static func littleEndian(_ value: Double) -> [UInt8] {
        withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
    }

    /// The AtlasError `body` throws; records an issue when it throws nothing or something else.
    static func error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> AtlasError? {
        do {
            try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let error as AtlasError {
            return error
        } catch {
            Issue.record("expected an AtlasError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }
}
