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

    private func refusal(_ path: String) -> AtlasError? {
        do {
            let file = try AtomicFile(path: path)
            try file.write("{}")
            try file.commit()
            Issue.record("expected \(path) to be refused")
        } catch let error as AtlasError {
            return error
        } catch {
            Issue.record("expected an AtlasError, got \(error)")
        }
        return nil
    }

    @Test func aSymbolicLinkIsNotReplaced() throws {
        let folder = try TestData.temporaryFolder()
        try "keep".write(toFile: folder + "/elsewhere.geojson", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/out.geojson", withDestinationPath: folder + "/elsewhere.geojson")
        let error = refusal(folder + "/out.geojson")
        #expect(error?.file == folder + "/out.geojson")
        #expect(error?.message == "is a symbolic link; atlas writes only to a new or a regular file")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/out.geojson") == folder + "/elsewhere.geojson")
        #expect(try String(contentsOfFile: folder + "/elsewhere.geojson", encoding: .utf8) == "keep")
    }

    @Test func aFolderFIFOOrDeviceIsRefusedByName() throws {
        let folder = try TestData.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/out.geojson", withIntermediateDirectories: false)
        #expect(refusal(folder + "/out.geojson")?.message == "is a folder; atlas writes only to a new or a regular file")
        #expect(mkfifo(folder + "/pipe.geojson", 0o644) == 0)
        #expect(refusal(folder + "/pipe.geojson")?.message == "is a FIFO (named pipe); atlas writes only to a new or a regular file")
        #expect(refusal("/dev/null")?.message == "is a device (character special file); atlas writes only to a new or a regular file")
        // Nothing was left behind in the folder.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["out.geojson", "pipe.geojson"])
    }

    @Test func anExistingFileKeepsItsPermissions() throws {
        let path = try TestData.temporaryFolder() + "/layer.geojson"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o640) == 0)
        let file = try AtomicFile(path: path)
        try file.write("new")
        try file.commit()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }
}
