import ArgumentParser
import Atlas
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run the indicator layers and the report a project file (YAML) describes.",
        discussion: """
            A project names its inputs (path, optional crs and id field), lists runs of the \
            indicators lowincome, transit and access with the same options as the commands \
            (without the leading --), and optionally a report. Paths are relative to the project \
            file, outputs to --out. See GeoData/demo.yml and GeoData/examples/.
            """
    )

    @Argument(help: "The project file.")
    var project: String

    @Option(help: "Folder for the layers and the report.")
    var out = "atlas-out"

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        try ProjectBuild(project: try Project.load(path: project), outputFolder: out, quiet: common.quiet).run()
    }
}

/// Runs a loaded project: every run is turned into the arguments of its command and parsed
/// first, so a bad option in the last run stops the build before the first one starts.
struct ProjectBuild {
    let project: Project
    let outputFolder: String
    let quiet: Bool

    /// Options whose value may name an input of the project, with the option giving its id field.
    static let layerOptions: [String: String?] = [
        "areas": "area-id", "target": "target-id", "stats": nil, "weights": nil, "gtfs": nil, "stops": nil,
        "population": nil, "network": nil, "destinations": "destination-id", "origins": "origin-id",
    ]

    func run() throws {
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        let commands = try project.runs.map { run in (run, try parse(run)) }
        for (run, command) in commands {
            Console.shared.info("\(run.name): \(run.indicator)")
            var command = command
            try command.run()
        }
        if let report = project.report { try writeReport(report) }
    }

    func outputPath(_ name: String) -> String {
        name.hasPrefix("/") ? name : URL(fileURLWithPath: outputFolder).appendingPathComponent(name).path
    }

    func arguments(for run: Project.Run) throws -> [String] {
        var arguments: [String] = []
        var given = Set(run.options.map(\.name))
        var crs: String?
        for (name, values) in run.options {
            guard name != "out" else {
                throw AtlasError(file: project.file, "run '\(run.name)': give the output as the run's 'out', not as an option")
            }
            for value in values {
                if value == "true" || value == "false" {
                    if value == "true" { arguments.append("--" + name) }
                    continue
                }
                arguments.append("--" + name)
                if let idOption = Self.layerOptions[name], let input = project.input(named: value) {
                    arguments.append(input.path)
                    if let idOption, let id = input.id, !given.contains(idOption) {
                        arguments += ["--" + idOption, id]
                        given.insert(idOption)
                    }
                    if let inputCRS = input.crs { crs = inputCRS }
                } else if Self.layerOptions[name] != nil {
                    arguments.append(resolve(value))
                } else if name.hasSuffix("-out") || name.hasSuffix("-csv") {
                    arguments.append(outputPath(value))
                } else {
                    arguments.append(value)
                }
            }
        }
        if let crs, !given.contains("crs") { arguments += ["--crs", crs] }
        arguments += ["--out", outputPath(run.out)]
        if quiet { arguments.append("--quiet") }
        return arguments
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: project.folder).appendingPathComponent(path).standardizedFileURL.path
    }

    func parse(_ run: Project.Run) throws -> any ParsableCommand {
        let arguments = try arguments(for: run)
        let type: any ParsableCommand.Type = switch run.indicator {
        case "lowincome": LowIncomeCommand.self
        case "transit": TransitCommand.self
        default: AccessCommand.self
        }
        do {
            return try type.parse(arguments)
        } catch {
            let message = type.message(for: error)
            throw AtlasError(file: project.file, "run '\(run.name)' (line \(run.line)): \(message)")
        }
    }

    func writeReport(_ report: Project.Report) throws {
        let language: ReportLanguage = project.language == "en" ? .english : .swedish
        var sections: [ReportSection] = []
        var inputs: [String] = []
        for run in project.runs {
            guard let section = run.section else { continue }
            let layer = try GeoJSONReader.read(path: outputPath(run.out))
            let option = { (name: String) in run.options.first { $0.name == name }?.values.first }
            let idField = section.id ?? option("target-id") ?? option("area-id") ?? layer.fields.first?.name ?? ""
            let valueField = section.value ?? defaultValueField(run.indicator)
            sections.append(
                try ReportSection.forLayer(
                    layer, valueField: valueField, idField: idField, nameField: section.name, language: language,
                    title: section.title, definition: section.definition, sources: section.sources))
            for (name, values) in run.options where Self.layerOptions[name] != nil {
                for value in values {
                    let path = project.input(named: value)?.path ?? value
                    let file = URL(fileURLWithPath: path).lastPathComponent
                    if !inputs.contains(file) { inputs.append(file) }
                }
            }
        }
        let path = outputPath(report.out)
        try AreaReport(
            title: report.title ?? project.title, place: report.place ?? project.place, language: language,
            sections: sections, inputs: inputs
        ).write(to: path)
        Console.shared.info("wrote the report with \(sections.count) sections to \(path)")
    }

    func defaultValueField(_ indicator: String) -> String {
        switch indicator {
        case "lowincome": "share"
        case "transit": "share_near"
        default: "mean_minutes"
        }
    }
}
