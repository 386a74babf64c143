import Foundation
import Testing

/// A long `atlas lowincome` run killed with SIGKILL while it writes its layer: the target path
/// must hold the previous file unchanged, or nothing, never a partial layer.
@Suite(.serialized) struct KillMidWriteTests {
    /// Re-aggregating the 175 Dalarna DeSO to 250 m cells writes about 480,000 cell polygons
    /// (well over 100 MB of GeoJSON), which leaves time to kill the writer.
    private func startLongRun(out: String) throws -> Process {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = [
            "lowincome", "--areas", CLI.shared("dalarna/deso_2025_dalarna.geojson"), "--area-id", "desokod",
            "--count", "befolkning_65_plus_2024", "--total", "befolkning_2024", "--target-grid", "250",
            "--quiet", "--out", out,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until the hidden temporary file beside `out` holds at least `bytes` bytes, and
    /// returns its name; nil when the run ended first or two minutes passed.
    private func waitForPartialOutput(of out: String, bytes: Int, while process: Process) -> String? {
        let url = URL(fileURLWithPath: out)
        let folder = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + "."
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
                let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0
                if size >= bytes { return name }
            }
            usleep(20_000)
        }
        return nil
    }

    private func kill(_ process: Process) {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func killedMidWriteLeavesTheOldFileUnchanged() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/cells.geojson"
        let old = #"{"type":"FeatureCollection","features":[]}"# + "\n"
        try old.write(toFile: out, atomically: true, encoding: .utf8)

        let process = try startLongRun(out: out)
        // 4 MB into the write: well past the first buffered chunk, far from the end.
        let partial = waitForPartialOutput(of: out, bytes: 4 << 20, while: process)
        kill(process)
        try #require(partial != nil, "the run ended before it had written 4 MB")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == old)
        // What the kill leaves is the hidden temporary file, never a file under the target's name.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.filter { !$0.hasPrefix(".") } == ["cells.geojson"])
    }

    @Test func killedMidWriteLeavesNoFileWhereThereWasNone() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/cells.geojson"
        let process = try startLongRun(out: out)
        let partial = waitForPartialOutput(of: out, bytes: 4 << 20, while: process)
        kill(process)
        try #require(partial != nil, "the run ended before it had written 4 MB")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
