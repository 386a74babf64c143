import ArgumentParser
import Atlas
import Foundation

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run every indicator on the embedded data in GeoData/ and write the layers and a report.",
        discussion: "Builds GeoData/demo.yml. GeoData/ is found beside the atlas checkout the program was built in, or set ATLAS_GEODATA."
    )

    @Option(help: "Folder for the layers and the report.")
    var out = "atlas-out"

    @OptionGroup var common: CommonOptions

    func run() throws {
        let projectFile = try Self.geoDataFolder() + "/demo.yml"
        try ProjectRunner(project: try Project.load(path: projectFile), outputFolder: out).run(in: try common.session())
    }

    /// GeoData/ from ATLAS_GEODATA, else the nearest folder above the executable or the
    /// current folder that holds GeoData/demo.yml.
    static func geoDataFolder() throws -> String {
        let fileManager = FileManager.default
        if let folder = ProcessInfo.processInfo.environment["ATLAS_GEODATA"] { return folder }
        let starts = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            URL(fileURLWithPath: fileManager.currentDirectoryPath),
        ]
        for start in starts {
            var url = start
            while true {
                let candidate = url.appendingPathComponent("GeoData")
                if fileManager.fileExists(atPath: candidate.appendingPathComponent("demo.yml").path) { return candidate.path }
                if url.path == "/" { break }
                url.deleteLastPathComponent()
            }
        }
        throw AtlasError("cannot find GeoData/demo.yml: run from the atlas checkout or set ATLAS_GEODATA")
    }
}
