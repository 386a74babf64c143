import Foundation
import Yams

/// A project file (`atlas build PROJECT.yml`): named inputs, indicator runs with their options,
/// and a report. Paths are relative to the project file; outputs are relative to the output
/// folder. Each run's options decode straight into its indicator's request, so everything the
/// file says is checked when it is loaded: unknown keys and options, bad values, missing inputs
/// and runs of unknown indicators are errors naming the file, the line and the key.
public struct Project: Sendable {
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
        /// The run's request; its output paths are relative to the output folder.
        public var request: any IndicatorRequest
        public var section: Section?
        public var line: Int
        /// Options that read an earlier run's output: option → the output's name in the output folder.
        public var derivedInputs: [String: String] = [:]

        public var indicator: String { type(of: request).indicator }
    }

    /// How a run appears in the report.
    public struct Section: Sendable, Equatable {
        public var value: String?
        public var id: String?
        public var name: String?
        public var title: String?
        public var definition: String?
        public var sources: String?
        /// What the figure is about in the user's words: the measure of a low-income run, the
        /// destinations of an access run ("skola").
        public var label: String?
    }

    public struct Report: Sendable, Equatable {
        public var out: String
        public var title: String?
        public var place: String?
    }

    /// The indicators a run may name, by name.
    public static let requestTypes: [String: any IndicatorRequest.Type] = [
        LowIncomeRequest.indicator: LowIncomeRequest.self, TransitRequest.indicator: TransitRequest.self,
        AccessRequest.indicator: AccessRequest.self, JoinRequest.indicator: JoinRequest.self,
    ]
    public static var indicators: [String] { requestTypes.keys.sorted() }

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
        switch YAMLShape.measure(text, limits: .init(depth: maximumNesting, nodes: maximumNodes)).excess {
        case .depth(let line):
            throw AtlasError(file: path, "lists and mappings are nested more than \(maximumNesting) deep (line \(line)); a project file needs far fewer levels")
        case .nodes(let line):
            throw AtlasError(
                file: path, "more than \(maximumNodes) values with every alias expanded (line \(line)); a project file needs far fewer")
        case nil: break
        }
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

extension Project {
    /// Levels of lists and mappings a project file may nest: the composer and the decoders
    /// recurse once per level.
    static let maximumNesting = 32
    /// Values (scalars, lists, mappings) a project file may hold once its aliases are expanded.
    static let maximumNodes = 100_000
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
        var earlierOutputs: Set<String> = []
        return try sequence.map { item in
            var name = "", indicator = "", out = "", optionsNode: Node?, section: Project.Section?
            for (key, value) in try mapping(item, "a run", allowed: ["name", "indicator", "out", "options", "report"]) {
                switch key {
                case "name": name = try scalar(value, "name")
                case "indicator": indicator = try scalar(value, "indicator")
                case "out": out = try scalar(value, "out")
                case "options": optionsNode = value
                default: section = try self.section(value)
                }
            }
            guard !name.isEmpty else { throw error(item, "a run needs a name") }
            guard names.insert(name).inserted else { throw error(item, "two runs are named '\(name)'") }
            guard let type = Project.requestTypes[indicator] else {
                throw error(item, "run '\(name)': indicator must be one of \(Project.indicators.joined(separator: ", "))")
            }
            guard !out.isEmpty else { throw error(item, "run '\(name)' needs an out file") }
            var derived: [String: String] = [:]
            let request = try decode(
                type, optionsNode ?? Node.mapping(Node.Mapping([])), run: name, out: out, inputs: inputs, at: item,
                earlierOutputs: earlierOutputs, derived: &derived)
            for (_, path) in request.outputs {
                if let relative = try? ProjectRunner.relativeOutput(path, run: name, file: self.path) { earlierOutputs.insert(relative) }
            }
            return Project.Run(name: name, request: request, section: section, line: item.mark?.line ?? 0, derivedInputs: derived)
        }
    }

    /// Options that give the id field of an input option, filled from the input's `id`.
    static let idOptions = ["areas": "area-id", "target": "target-id", "destinations": "destination-id", "origins": "origin-id"]
    /// Options that say how to read every input of a run without its own.
    static let readingOptions = ["crs", "x", "y", "rutid", "cell-size"]

    /// The run's options as its request: names of inputs become their files (with the input's
    /// CRS and id field), other paths are taken relative to the project file; an option that may
    /// read another run's output and names one written by an earlier run is noted in `derived`.
    func decode<Request: IndicatorRequest>(
        _ type: Request.Type, _ node: Node, run: String, out: String, inputs: [Project.Input], at item: Node,
        earlierOutputs: Set<String> = [], derived: inout [String: String]
    ) throws -> Request {
        guard case .mapping(let entries) = node else { throw error(node, "run '\(run)': options must be a mapping") }
        let known = Set(Request.optionNames).subtracting(Request.outputNames.intersection(["out"]))
        var options: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in entries {
            guard let raw = key.string else { throw error(key, "run '\(run)': option names must be text") }
            // Options are spelt as on the command line; snake_case is accepted too.
            let name = raw.replacingOccurrences(of: "_", with: "-")
            if name == "out" { throw error(key, "run '\(run)': give the output as the run's 'out', not as an option") }
            guard known.contains(name) || Self.readingOptions.contains(name) else {
                throw error(key, "run '\(run)': unknown option '\(raw)' for \(Request.indicator); known options: \(known.sorted().joined(separator: ", "))")
            }
            options.append((name, key, value))
        }
        let given = Set(options.map(\.key))
        var reading: [(Node, Node)] = []
        for (name, _, value) in options where Self.readingOptions.contains(name) { reading.append((Node(name), value)) }

        var decoded: [(Node, Node)] = [(Node("out"), Node(out))]
        for (name, keyNode, value) in options where !Self.readingOptions.contains(name) {
            // Several files (GTFS feeds): each an input's name or a path.
            if Request.fileInputNames.contains(name), case .sequence(let items) = value {
                let paths = try items.map { item -> Node in
                    guard case .scalar(let scalar) = item else { throw error(item, "run '\(run)': \(name) must list files") }
                    return Node(inputs.first { $0.name == scalar.string }?.path ?? resolve(scalar.string))
                }
                decoded.append((Node(name), .sequence(Node.Sequence(paths))))
                continue
            }
            guard Request.inputNames.contains(name), case .scalar(let scalar) = value else {
                decoded.append((keyNode, value))
                continue
            }
            let input = inputs.first { $0.name == scalar.string }
            if input == nil, Request.derivedInputNames.contains(name),
                let relative = try? ProjectRunner.relativeOutput(scalar.string, run: run, file: self.path), earlierOutputs.contains(relative)
            {
                derived[name] = relative
                decoded.append((Node(name), Node(relative)))
                continue
            }
            let path = input?.path ?? resolve(scalar.string)
            if Request.fileInputNames.contains(name) {
                decoded.append((Node(name), Node(path)))
                continue
            }
            var source: [(Node, Node)] = [(Node("path"), Node(path))]
            if let crs = input?.crs { source.append((Node("crs"), Node(crs))) }
            for (k, v) in reading where !(k.string == "crs" && input?.crs != nil) { source.append((k, v)) }
            decoded.append((Node(name), .mapping(Node.Mapping(source))))
            if let idOption = Self.idOptions[name], let id = input?.id, !given.contains(idOption), known.contains(idOption) {
                decoded.append((Node(idOption), Node(id)))
            }
        }
        let yaml: String
        do { yaml = try Yams.serialize(node: .mapping(Node.Mapping(decoded))) } catch {
            throw self.error(node, "run '\(run)': \(error)")
        }
        do {
            return try YAMLDecoder().decode(Request.self, from: yaml)
        } catch let decodingError as DecodingError {
            let (key, message) = Self.describe(decodingError)
            let keyNode = key.flatMap { k in options.first { $0.key == k }?.keyNode } ?? item
            throw self.error(keyNode, "run '\(run)': \(message)")
        } catch let optionError as OptionError {
            let keyNode = options.first { $0.key == optionError.option }?.keyNode ?? item
            throw self.error(keyNode, "run '\(run)': \(optionError)")
        }
    }

    /// The option a decoding error is about and a sentence for the user.
    static func describe(_ error: DecodingError) -> (key: String?, message: String) {
        switch error {
        case .keyNotFound(let key, _):
            return (nil, "the option '\(key.stringValue)' is missing")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let key = context.codingPath.first?.stringValue
            return (key, "option '\(key ?? "?")': expected \(typeName(type))")
        case .dataCorrupted(let context):
            let key = context.codingPath.first?.stringValue
            return (key, "option '\(key ?? "?")': \(context.debugDescription)")
        @unknown default:
            return (nil, "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a single value"
        default: "a value of another kind"
        }
    }

    func section(_ node: Node) throws -> Project.Section {
        var section = Project.Section()
        for (key, value) in try mapping(node, "a run's report", allowed: ["value", "id", "name", "title", "definition", "sources", "label"]) {
            let text = try scalar(value, key)
            switch key {
            case "value": section.value = text
            case "id": section.id = text
            case "name": section.name = text
            case "title": section.title = text
            case "definition": section.definition = text
            case "label": section.label = text
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
