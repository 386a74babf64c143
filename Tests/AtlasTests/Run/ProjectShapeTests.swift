import Foundation
import Testing

@testable import Atlas

/// The nesting and alias limits checked on a project file's events before Yams composes it.
@Suite("project file shape")
struct ProjectShapeTests {
    let limits = YAMLShape.Limits(depth: 32, nodes: 100_000)

    @Test("depth and node count of a small file, counted by hand")
    func handCounted() {
        // The root mapping (1) holds `runs`, a list (2) of one mapping (3) whose `options` is a
        // mapping (4) holding the flow list `[1, 2]` (5): depth 5. Nodes: the root, the scalars
        // runs, indicator, export, options, out, x.geojson, list, the two items, and the list,
        // the run's mapping and the options' mapping: 3 collections + 1 list + 10 scalars = 14.
        let text = """
            runs:
              - indicator: export
                options: {out: x.geojson, list: [1, 2]}
            """
        let (shape, excess) = YAMLShape.measure(text, limits: limits)
        #expect(excess == nil)
        #expect(shape.depth == 5)
        #expect(shape.nodes == 14)
    }

    @Test("an alias counts as the node it names")
    func aliases() {
        // &a is a list of 3 scalars (4 nodes, depth 1); the root mapping holds the keys a, b, c
        // and the values &a, *a, *a: 1 + 3 keys + 3 × 4 = 16 nodes, depth 2.
        let (shape, excess) = YAMLShape.measure("a: &a [x, y, z]\nb: *a\nc: *a\n", limits: limits)
        #expect(excess == nil)
        #expect(shape.depth == 2)
        #expect(shape.nodes == 16)
    }

    @Test("32 levels pass, 33 do not, in flow and in block style")
    func depthLimit() {
        func flow(_ n: Int) -> String { String(repeating: "[", count: n) + "x" + String(repeating: "]", count: n) }
        // `- - - x`: each `- ` opens one more block list on the same line.
        func block(_ n: Int) -> String { String(repeating: "- ", count: n) + "x" }
        for text in [flow(32), block(32)] { #expect(YAMLShape.measure(text, limits: limits).excess == nil) }
        for text in [flow(33), block(33)] { #expect(YAMLShape.measure(text, limits: limits).excess == .depth(line: 1)) }
    }

    @Test("an alias of a deep node is as deep as the node")
    func deepAlias() {
        // &d is 20 lists deep; placed inside 13 more lists it reaches 33.
        let deep = String(repeating: "[", count: 20) + "x" + String(repeating: "]", count: 20)
        let text = "a: &d \(deep)\nb: " + String(repeating: "[", count: 12) + "*d" + String(repeating: "]", count: 12) + "\n"
        #expect(YAMLShape.measure(text, limits: limits).excess == .depth(line: 2))
    }

    @Test("hostile project files are refused before Yams composes them")
    func hostileFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-yaml-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Each overflowed the stack inside the composer: 50,000 compact block lists; 50,000 flow
        // lists after an apostrophe in a plain scalar (which a quote-aware text scan took for the
        // start of a quoted string); and ten levels of ten aliases each, 10¹⁰ values expanded.
        var laughs = ["title: x", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1...10 { laughs.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
        let cases: [(String, String)] = [
            ("title: x\nruns:\n  " + String(repeating: "- ", count: 50_000) + "x\n", "nested more than 32 deep (line 3)"),
            ("title: it's\nruns: " + String(repeating: "[", count: 50_000) + "\n", "nested more than 32 deep (line 2)"),
            (laughs.joined(separator: "\n") + "\n", "more than 100000 values with every alias expanded (line 6)"),
        ]
        for (k, (text, message)) in cases.enumerated() {
            let path = folder + "/hostile\(k).yml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: AtlasError.self) { try Project.load(path: path) }
            #expect(error?.description.contains(path) == true)
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
        }
    }

    @Test("the demo project passes the limits")
    func demoPasses() throws {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../GeoData/demo.yml").standardized.path
        let text = try String(contentsOfFile: demo, encoding: .utf8)
        let (shape, excess) = YAMLShape.measure(text, limits: limits)
        #expect(excess == nil)
        #expect(shape.depth >= 3)
    }
}
