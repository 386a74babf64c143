import Foundation
import Testing
@testable import Atlas

@Suite struct AtomicFileTests {
    @Test func aNewWriteRemovesTemporaryFilesOfDeadRunsOnly() throws {
        let folder = try TestData.temporaryFolder()
        // A process that has exited: its pid names no running process any more.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let abandoned = folder + "/.layer.geojson.\(finished.processIdentifier).17.tmp"
        let ours = folder + "/.layer.geojson.\(getpid()).18.tmp"
        let otherTarget = folder + "/.other.geojson.\(finished.processIdentifier).19.tmp"
        for path in [abandoned, ours, otherTarget] { try "partial".write(toFile: path, atomically: false, encoding: .utf8) }

        let file = try AtomicFile(path: folder + "/layer.geojson")
        try file.write("{}")
        try file.commit()

        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: ours))
        #expect(FileManager.default.fileExists(atPath: otherTarget))
        #expect(try String(contentsOfFile: folder + "/layer.geojson", encoding: .utf8) == "{}")
    }
}
