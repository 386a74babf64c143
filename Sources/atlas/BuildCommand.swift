import ArgumentParser
import Atlas

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run the indicator layers and the report a project file (YAML) describes.",
        discussion: """
            A project names its inputs (path, optional crs and id field), lists runs of the \
            indicators lowincome, transit and access with the same options as the commands \
            (without the leading --), and optionally a report. Paths are relative to the project \
            file; outputs are relative to --out and must stay inside it. Every run is checked \
            before the first one computes, and the outputs appear in --out only when the whole \
            build has succeeded. See GeoData/demo.yml and GeoData/examples/.
            """
    )

    @Argument(help: "The project file.")
    var project: String

    @Option(help: "Folder for the layers and the report.")
    var out = "atlas-out"

    @OptionGroup var common: CommonOptions

    func run() throws {
        try ProjectRunner(project: try Project.load(path: project), outputFolder: out).run(in: try common.session())
    }
}
