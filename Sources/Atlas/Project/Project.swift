import Foundation
import Yams

/// A project file (`atlas build PROJECT.yml`): named inputs, indicator runs with their options,
/// and a report. Paths are relative to the project file; outputs are relative to the output
/// folder. Everything is checked when the file is loaded, before anything runs: unknown keys,
/// missing inputs and runs of unknown indicators are errors naming the key, line or file.
public struct Project: @unchecked Sendable {
    public struct Input: Sendable, Equatable {
        public var name: String
        /// Absolute path.
        public var path: String
        /// The CRS to assume when the file has none.
        public var crs: String?
        /// The id field, used when a run names this input as areas without saying the id field.
        public var id: String?
    }

    public struct Run: Sendable {
        public var name: String
        /// `lowincome`, `transit` or `access`.
        public var indicator: String
        /// Output file name, relative to the output folder.
        public var out: String
        /// Command-line options as (name without the leading --, values); a flag has the single value "true".
        public var options: [(name: String, values: [String])]
        public var section: Section?
        public var line: Int
    }

    /// How a run appears in the report.
    public struct Section: Sendable, Equatable {
        public var value: String?
        public var id: String?
        public var name: String?
        public var title: String?
        public var definition: String?
        public var sources: String?
    }

    public struct Report: Sendable, Equatable {
        public var out: String
        public var title: String?
        public var place: String?
    }

    public static let indicators = ["lowincome", "transit", "access"]

    public var file: String
    public var title: String
    public var place: String
    public var language: String
    public var inputs: [Input]
    public var runs: [Run]
    public var report: Report?

    /// The folder the project file's relative paths start from.
    public var folder: String { URL(fileURLWithPath: file).deletingLastPathComponent().path }

    public func input(named name: String) -> Input? { inputs.first { $0.name == name } }

    public static func load(path: String) throws -> Project {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AtlasError(file: path, "cannot read the project file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw AtlasError(file: path, "the project file is empty") }
            root = node
        } catch let error as AtlasError {
            throw error
        } catch {
            throw AtlasError(file: path, "not valid YAML: \(error)")
        }
        return try ProjectParser(path: path).project(root)
    }
}

/// Turns the YAML tree into a `Project`, checking every key.
private struct ProjectParser {
    let path: String
    var folder: String { URL(fileURLWithPath: path).deletingLastPathComponent().path }

    func error(_ node: Node, _ message: String) -> AtlasError {
        let line = node.mark.map { " (line \($0.line))" } ?? ""
        return AtlasError(file: path, message + line)
    }

    func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws -> [(String, Node)] {
        guard case .mapping(let entries) = node else { throw error(node, "\(what) must be a mapping of keys to values") }
        var pairs: [(String, Node)] = []
        for (key, value) in entries {
            guard let name = key.string else { throw error(key, "\(what): keys must be text") }
            guard allowed.contains(name) else {
                throw error(key, "\(what): unknown key '\(name)'; known keys: \(allowed.sorted().joined(separator: ", "))")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    func scalar(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let s) = node else { throw error(node, "\(what) must be a single value") }
        return s.string
    }

    func project(_ root: Node) throws -> Project {
        let top = try mapping(root, "the project", allowed: ["title", "place", "language", "inputs", "runs", "report"])
        var project = Project(file: URL(fileURLWithPath: path).standardizedFileURL.path, title: "", place: "", language: "sv", inputs: [], runs: [], report: nil)
        for (key, node) in top {
            switch key {
            case "title": project.title = try scalar(node, "title")
            case "place": project.place = try scalar(node, "place")
            case "language":
                project.language = try scalar(node, "language")
                guard ["sv", "en"].contains(project.language) else { throw error(node, "language must be sv or en") }
            case "inputs": project.inputs = try inputs(node)
            case "runs": project.runs = try runs(node, inputs: project.inputs)
            case "report": project.report = try report(node)
            default: break
            }
        }
        guard !project.runs.isEmpty else { throw AtlasError(file: path, "the project has no runs") }
        return project
    }

    func inputs(_ node: Node) throws -> [Project.Input] {
        guard case .mapping(let entries) = node else { throw error(node, "inputs must map names to files") }
        return try entries.map { key, value in
            guard let name = key.string else { throw error(key, "input names must be text") }
            var input = Project.Input(name: name, path: "", crs: nil, id: nil)
            if case .scalar(let s) = value {
                input.path = s.string
            } else {
                for (k, v) in try mapping(value, "input '\(name)'", allowed: ["path", "crs", "id"]) {
                    switch k {
                    case "path": input.path = try scalar(v, "path")
                    case "crs": input.crs = try scalar(v, "crs")
                    default: input.id = try scalar(v, "id")
                    }
                }
            }
            guard !input.path.isEmpty else { throw error(value, "input '\(name)' has no path") }
            input.path = resolve(input.path)
            guard FileManager.default.fileExists(atPath: input.path) else {
                throw error(value, "input '\(name)': no such file \(input.path)")
            }
            return input
        }
    }

    func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : URL(fileURLWithPath: folder).appendingPathComponent(relative).standardizedFileURL.path
    }

    func runs(_ node: Node, inputs: [Project.Input]) throws -> [Project.Run] {
        guard case .sequence(let sequence) = node else { throw error(node, "runs must be a list") }
        var names: Set<String> = []
        return try sequence.map { item in
            var run = Project.Run(name: "", indicator: "", out: "", options: [], section: nil, line: item.mark?.line ?? 0)
            for (key, value) in try mapping(item, "a run", allowed: ["name", "indicator", "out", "options", "report"]) {
                switch key {
                case "name": run.name = try scalar(value, "name")
                case "indicator": run.indicator = try scalar(value, "indicator")
                case "out": run.out = try scalar(value, "out")
                case "options": run.options = try options(value)
                default: run.section = try section(value)
                }
            }
            guard !run.name.isEmpty else { throw error(item, "a run needs a name") }
            guard names.insert(run.name).inserted else { throw error(item, "two runs are named '\(run.name)'") }
            guard Project.indicators.contains(run.indicator) else {
                throw error(item, "run '\(run.name)': indicator must be one of \(Project.indicators.joined(separator: ", "))")
            }
            guard !run.out.isEmpty else { throw error(item, "run '\(run.name)' needs an out file") }
            return run
        }
    }

    func options(_ node: Node) throws -> [(name: String, values: [String])] {
        guard case .mapping(let entries) = node else { throw error(node, "options must be a mapping") }
        return try entries.map { key, value in
            guard let raw = key.string else { throw error(key, "option names must be text") }
            // Options are spelt as on the command line; snake_case is accepted too.
            let name = raw.replacingOccurrences(of: "_", with: "-")
            switch value {
            case .scalar(let s): return (name, [s.string])
            case .sequence(let items): return (name, try items.map { try scalar($0, "option '\(name)'") })
            default: throw error(value, "option '\(name)' must be a value or a list of values")
            }
        }
    }

    func section(_ node: Node) throws -> Project.Section {
        var section = Project.Section()
        for (key, value) in try mapping(node, "a run's report", allowed: ["value", "id", "name", "title", "definition", "sources"]) {
            let text = try scalar(value, key)
            switch key {
            case "value": section.value = text
            case "id": section.id = text
            case "name": section.name = text
            case "title": section.title = text
            case "definition": section.definition = text
            default: section.sources = text
            }
        }
        return section
    }

    func report(_ node: Node) throws -> Project.Report {
        var report = Project.Report(out: "report.html")
        for (key, value) in try mapping(node, "report", allowed: ["out", "title", "place"]) {
            let text = try scalar(value, key)
            switch key {
            case "out": report.out = text
            case "title": report.title = text
            default: report.place = text
            }
        }
        return report
    }
}
