import Atlas
import Foundation

/// A project file as `atlas build` reads it: parsed, every run decoded into its request, and
/// every request validated against the demo's inputs (GeoData, linked beside the file, so the
/// demo project's relative paths resolve). A session serves 1,000 inputs: its layer cache reads
/// each real input once, and a fresh one drops the messages the last kept.
private let linked: Void = {
    guard let geoData = ProcessInfo.processInfo.environment["ATLAS_FUZZ_GEODATA"] else { return }
    for folder in ["sweden", "falun", "porto-alegre"] {
        try? FileManager.default.createSymbolicLink(
            atPath: FuzzInput.folder + "/" + folder, withDestinationPath: geoData + "/" + folder)
    }
}()
nonisolated(unsafe) private var session = try! Session()
nonisolated(unsafe) private var runs = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = linked
    runs += 1
    if runs % 1_000 == 0 { session = try! Session() }
    let path = FuzzInput.write(start, count, name: "project.yml")
    do {
        let project = try Project.load(path: path)
        for run in project.runs {
            do { try run.request.validate(in: session) } catch is AtlasError {} catch is OptionError {}
        }
    } catch is AtlasError {
    } catch {
        fatalError("a project file threw an unexpected error: \(error)")
    }
    return 0
}
