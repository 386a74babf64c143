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

    @Test func aLargeFileIsSyncedWhileItIsWrittenAndAppearsWhole() throws {
        // 40 MiB in pieces of 1 MiB (each piece its index in every byte): syncs start on another
        // thread along the way; the committed file holds every piece in order, and a file
        // dropped before its commit leaves nothing behind.
        let folder = try TestData.temporaryFolder()
        let file = try AtomicFile(path: folder + "/large.bin")
        for piece in 0..<40 { try file.write([UInt8](repeating: UInt8(piece), count: 1 << 20)) }
        try file.commit()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/large.bin"))
        #expect(bytes.count == 40 << 20)
        for piece in 0..<40 {
            let first = piece << 20, last = first + (1 << 20) - 1
            #expect(bytes[first] == UInt8(piece) && bytes[last] == UInt8(piece))
        }
        do {
            let dropped = try AtomicFile(path: folder + "/dropped.bin")
            for _ in 0..<20 { try dropped.write([UInt8](repeating: 1, count: 1 << 20)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["large.bin"])
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
