import Foundation

/// Builds a project: validates every run before the first one computes, runs them, and writes the
/// layers and the report into the output folder. Everything is written into a staging folder
/// first and moved into place when the whole build has succeeded, so a failed build leaves the
/// previous outputs as they were.
public struct ProjectRunner {
    public let project: Project
    public let outputFolder: String

    public init(project: Project, outputFolder: String) {
        self.project = project
        self.outputFolder = outputFolder
    }

    /// Runs the whole project; returns the paths written, in order.
    @discardableResult
    public func run(in session: Session) throws -> [String] {
        let diagnostics = session.diagnostics
        let manager = FileManager.default
        let output = URL(fileURLWithPath: outputFolder).standardizedFileURL
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: output.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw AtlasError(file: output.path, "the output folder is a file")
        }
        // Outputs are decided, and every run validated, before anything is computed or written.
        let staging = output.appendingPathComponent(".atlas-staging-\(ProcessInfo.processInfo.processIdentifier)")
        var finalNames: [String] = []
        let runs = try project.runs.map { run in
            let request = try run.request.placingOutputs { name in
                let relative = try Self.relativeOutput(name, run: run.name, file: project.file)
                if finalNames.contains(relative) {
                    throw AtlasError(file: project.file, "run '\(run.name)': \(relative) is written by another run too")
                }
                finalNames.append(relative)
                return staging.appendingPathComponent(relative).path
            }
            // A run reading an earlier run's output reads it where that run stages it.
            .placingInputs { option, path in run.derivedInputs[option].map { staging.appendingPathComponent($0).path } ?? path }
            return (run, request)
        }
        session.plannedOutputs = Set(finalNames.map { staging.appendingPathComponent($0).path })
        defer { session.plannedOutputs = [] }
        let reportName = try project.report.map { try Self.relativeOutput($0.out, run: "report", file: project.file) }
        for (run, request) in runs {
            do { try request.validate(in: session) } catch let error as OptionError {
                throw AtlasError(file: project.file, "run '\(run.name)' (line \(run.line)): \(error)")
            } catch let error as AtlasError {
                throw AtlasError(file: project.file, "run '\(run.name)' (line \(run.line)): \(error)")
            }
        }

        try Self.removeStaleStaging(in: output)
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: staging) }
        for name in finalNames {
            try manager.createDirectory(
                at: staging.appendingPathComponent(name).deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        var written: [(run: Project.Run, request: any IndicatorRequest)] = []
        for (run, request) in runs {
            diagnostics.info("\(run.name): \(run.indicator)")
            try Self.runAndWrite(request, session: session, run: run, file: project.file) { path in
                path.hasPrefix(staging.path + "/") ? output.appendingPathComponent(String(path.dropFirst(staging.path.count + 1))).path : path
            }
            written.append((run, request))
        }
        finalNames += try writePortalFiles(runs: written, staging: staging, taken: finalNames + [reportName].compactMap { $0 }, session: session)
        if let report = project.report, let reportName {
            try writeReport(report, runs: written, to: staging.appendingPathComponent(reportName).path, session: session)
            finalNames.append(reportName)
        }

        for name in finalNames {
            let target = output.appendingPathComponent(name)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
            try manager.moveItem(at: staging.appendingPathComponent(name), to: target)
        }
        return finalNames.map { output.appendingPathComponent($0).path }
    }

    private static func runAndWrite<Request: IndicatorRequest>(
        _ request: Request, session: Session, run: Project.Run, file: String, shown: (String) -> String
    ) throws {
        do {
            let result = try request.run(in: session)
            result.summary.forEach(session.diagnostics.info)
            try request.write(result, in: session, shown: shown)
        } catch let error as OptionError {
            throw AtlasError(file: file, "run '\(run.name)' (line \(run.line)): \(error)")
        }
    }

    /// An output name must stay inside the output folder: no absolute paths, no `..` above it.
    static func relativeOutput(_ name: String, run: String, file: String) throws -> String {
        guard !name.hasPrefix("/"), !name.hasPrefix("~") else {
            throw AtlasError(file: file, "run '\(run)': the output \(name) must be a path inside the output folder, not an absolute path")
        }
        var parts: [Substring] = []
        for part in name.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    throw AtlasError(file: file, "run '\(run)': the output \(name) leaves the output folder")
                }
                parts.removeLast()
            default: parts.append(part)
            }
        }
        guard !parts.isEmpty else { throw AtlasError(file: file, "run '\(run)': the output '\(name)' names no file") }
        return parts.joined(separator: "/")
    }

    /// Staging folders of builds that were killed.
    static func removeStaleStaging(in folder: URL) throws {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".atlas-staging-") {
            let pid = Int32(name.dropFirst(".atlas-staging-".count)) ?? 0
            if pid > 0, pid != ProcessInfo.processInfo.processIdentifier, kill(pid, 0) == 0 { continue }
            try? manager.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// A QGIS style beside each areas layer, `origo.json` and `map.html` (see `PortalFiles`).
    private func writePortalFiles(
        runs: [(run: Project.Run, request: any IndicatorRequest)], staging: URL, taken: [String], session: Session
    ) throws -> [String] {
        let prefix = staging.path + "/"
        let layers = runs.flatMap { run, request in
            request.outputs.filter { $0.role == "areas" && $0.path.hasPrefix(prefix) }.map { output in
                PortalFiles.BuiltLayer(path: output.path, name: String(output.path.dropFirst(prefix.count)), field: run.section?.value, title: run.section?.title)
            }
        }
        let language: ReportLanguage = project.language == "en" ? .english : .swedish
        return try PortalFiles.writeForProject(layers, folder: staging, taken: taken, title: project.title, language: language, session: session)
    }

    private func writeReport(
        _ report: Project.Report, runs: [(run: Project.Run, request: any IndicatorRequest)], to path: String, session: Session
    ) throws {
        let language: ReportLanguage = project.language == "en" ? .english : .swedish
        var sections: [ReportSection] = []
        var inputs: [String] = []
        for (run, request) in runs {
            guard let section = run.section, let areas = request.outputs.first(where: { $0.role == "areas" }) else { continue }
            // The layer as written, so the report reads its "atlas:run", classes and references.
            let layer = try GeoJSONReader.read(path: areas.path)
            sections.append(
                try ReportSection.forLayer(
                    layer, valueField: section.value, idField: section.id, nameField: section.name, language: language,
                    title: section.title, definition: section.definition, sources: section.sources,
                    label: section.label))
            for (_, path) in request.inputPaths {
                let name = URL(fileURLWithPath: path).lastPathComponent
                if !inputs.contains(name) { inputs.append(name) }
            }
        }
        try AreaReport(
            title: report.title ?? project.title, place: report.place ?? project.place, language: language,
            sections: sections, inputs: inputs
        ).write(to: path)
        session.diagnostics.info("wrote the report with \(sections.count) sections")
    }
}
