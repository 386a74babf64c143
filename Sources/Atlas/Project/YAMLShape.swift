import CYaml
import Foundation

/// The shape of a YAML text as libyaml's event stream gives it, measured before the text is
/// composed into a tree: the composer and everything that walks the tree recurse once per level
/// of nesting, and aliases let a few lines stand for an exponentially large tree.
///
/// The event parser keeps its state on the heap, so measuring cannot itself overflow the stack.
/// Flow (`[[[…`) and block nesting (`- - - …`, or deeper and deeper indentation) count alike,
/// and an alias counts as the depth and the size of the node it names.
struct YAMLShape {
    /// The deepest nesting of sequences and mappings.
    var depth = 0
    /// Nodes in the tree with every alias expanded.
    var nodes = 0

    struct Limits {
        var depth: Int
        var nodes: Int
    }

    /// A limit the text goes beyond, with the line (from 1) where it did; nil when it stays
    /// within both. A syntax error ends the measuring early: the composer reports it.
    enum Excess: Equatable {
        case depth(line: Int)
        case nodes(line: Int)
    }

    /// Measures `text`, stopping at the first limit it passes.
    static func measure(_ text: String, limits: Limits) -> (shape: YAMLShape, excess: Excess?) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return (YAMLShape(), nil) }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walker = Walker(limits: limits)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                if let excess = walker.take(event) { return (walker.shape, excess) }
            }
            return (walker.shape, nil)
        }
    }

    /// Follows the events: a stack of open collections, each with its size so far, and what
    /// each anchor names.
    private struct Walker {
        let limits: Limits
        var shape = YAMLShape()
        /// Open collections: their anchor, and the nodes and depth below them so far.
        var open: [(anchor: String?, nodes: Int, depth: Int)] = []
        var anchors: [String: (nodes: Int, depth: Int)] = [:]

        init(limits: Limits) { self.limits = limits }

        mutating func take(_ event: yaml_event_t) -> Excess? {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_SEQUENCE_START_EVENT:
                open.append((Self.string(event.data.sequence_start.anchor), 0, 0))
            case YAML_MAPPING_START_EVENT:
                open.append((Self.string(event.data.mapping_start.anchor), 0, 0))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let collection = open.popLast() else { return nil }
                return finish(anchor: collection.anchor, nodes: 1 + collection.nodes, depth: 1 + collection.depth, line: line)
            case YAML_SCALAR_EVENT:
                return finish(anchor: Self.string(event.data.scalar.anchor), nodes: 1, depth: 0, line: line)
            case YAML_ALIAS_EVENT:
                let named = Self.string(event.data.alias.anchor).flatMap { anchors[$0] } ?? (1, 0)
                return finish(anchor: nil, nodes: named.nodes, depth: named.depth, line: line)
            default:
                return nil
            }
            // A collection just opened: the depth is the open collections.
            shape.depth = max(shape.depth, open.count)
            return open.count > limits.depth ? .depth(line: line) : nil
        }

        /// A node is complete: it adds to the collection around it, or to the document.
        private mutating func finish(anchor: String?, nodes: Int, depth: Int, line: Int) -> Excess? {
            if let anchor { anchors[anchor] = (nodes, depth) }
            if open.isEmpty {
                shape.nodes += nodes
            } else {
                open[open.count - 1].nodes += nodes
                open[open.count - 1].depth = max(open[open.count - 1].depth, depth)
            }
            shape.depth = max(shape.depth, open.count + depth)
            if open.count + depth > limits.depth { return .depth(line: line) }
            let total = shape.nodes + open.reduce(0) { $0 + $1.nodes }
            return total > limits.nodes ? .nodes(line: line) : nil
        }

        private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
    }
}
