/// The strongly connected components of a road graph: the sets of nodes from which every
/// other node of the set can be reached and that can be reached back, respecting one-way
/// segments. A point may snap only onto a segment whose two ends lie in kept components,
/// so that it is never stranded on a piece cut off from the rest (a private road, a parking
/// aisle, a way clipped at the extract's edge, or the far end of a one-way dead end).
///
/// Found with Tarjan's algorithm, written with an explicit stack because national graphs
/// have millions of nodes. It runs over the reversed adjacency the graph already keeps; a
/// graph and its reverse have the same strongly connected components.
public struct RoadComponents: Sendable {
    /// The component of each node, numbered in the order the algorithm closes them.
    public let component: [Int32]
    /// Nodes per component. Every node of the graph counts, shape points of a road included.
    public let sizes: [Int32]

    public var count: Int { sizes.count }

    public init(_ graph: RoadGraph) {
        let n = graph.nodeCount
        var component = [Int32](repeating: -1, count: n)
        var sizes: [Int32] = []
        // Discovery order and lowest discovery order reachable through the search tree.
        var order = [Int32](repeating: -1, count: n)
        var low = [Int32](repeating: 0, count: n)
        var open: [Int32] = []  // visited nodes whose component is not closed yet
        var calls: [(node: Int32, nextArc: Int32)] = []
        var counter: Int32 = 0
        graph.incomingOffsets.withUnsafeBufferPointer { offsets in
            graph.incomingArcs.withUnsafeBufferPointer { arcs in
                for root in 0..<n where order[root] < 0 {
                    order[root] = counter
                    low[root] = counter
                    counter += 1
                    open.append(Int32(root))
                    calls.append((Int32(root), offsets[root]))
                    while let top = calls.last {
                        let v = Int(top.node)
                        var k = Int(top.nextArc)
                        let end = Int(offsets[v + 1])
                        var descended = false
                        while k < end {
                            let w = Int(arcs[k].source)
                            k += 1
                            if order[w] < 0 {
                                calls[calls.count - 1].nextArc = Int32(k)
                                order[w] = counter
                                low[w] = counter
                                counter += 1
                                open.append(Int32(w))
                                calls.append((Int32(w), offsets[w]))
                                descended = true
                                break
                            } else if component[w] < 0 {
                                // Still open, so on the current path's component stack.
                                low[v] = min(low[v], order[w])
                            }
                        }
                        if descended { continue }
                        calls.removeLast()
                        if low[v] == order[v] {
                            let id = Int32(sizes.count)
                            var size: Int32 = 0
                            while true {
                                let w = Int(open.removeLast())
                                component[w] = id
                                size += 1
                                if w == v { break }
                            }
                            sizes.append(size)
                        }
                        if let parent = calls.last {
                            low[Int(parent.node)] = min(low[Int(parent.node)], low[v])
                        }
                    }
                }
            }
        }
        self.component = component
        self.sizes = sizes
    }

    /// The segments points may snap to: those with both ends in kept components. A component
    /// is kept when it has at least `minimumNodes` nodes; when none is that large, the largest
    /// one holding a segment alone is kept (of equally large ones, the one holding the
    /// lowest-numbered segment, a choice that does not depend on how the nodes are numbered),
    /// and when no component holds a segment at all (one-way roads without a way back) every
    /// segment is kept, as if there were no rule.
    public func snappable(_ graph: RoadGraph, minimumNodes: Int) -> SnappableSegments {
        // The first segment inside each component, -1 for none.
        var firstSegment = [Int](repeating: -1, count: count)
        for s in 0..<graph.segmentCount {
            let a = Int(component[Int(graph.segmentStart[s])])
            if a == Int(component[Int(graph.segmentEnd[s])]) && firstSegment[a] < 0 { firstSegment[a] = s }
        }
        let hasSegment = firstSegment.map { $0 >= 0 }
        var largest = -1
        for c in 0..<count where hasSegment[c] {
            if largest < 0 || sizes[c] > sizes[largest] || (sizes[c] == sizes[largest] && firstSegment[c] < firstSegment[largest]) {
                largest = c
            }
        }
        var summary = RoadIslands(minimumNodes: minimumNodes)
        summary.largestComponentNodes = largest >= 0 ? Int(sizes[largest]) : 0
        guard largest >= 0 else {
            summary.keptEverything = graph.segmentCount > 0
            summary.keptNodes = graph.nodeCount
            return SnappableSegments(eligible: [Bool](repeating: true, count: graph.segmentCount), islands: summary)
        }
        var kept = sizes.map { Int($0) >= minimumNodes }
        if !kept[largest] {
            summary.keptLargestOnly = true
            kept[largest] = true
        }
        var eligible = [Bool](repeating: false, count: graph.segmentCount)
        for s in 0..<graph.segmentCount {
            eligible[s] = kept[Int(component[Int(graph.segmentStart[s])])] && kept[Int(component[Int(graph.segmentEnd[s])])]
        }
        for c in 0..<count where kept[c] || hasSegment[c] {
            if kept[c] {
                summary.keptComponents += hasSegment[c] ? 1 : 0
                summary.keptNodes += Int(sizes[c])
            } else {
                summary.leftOutComponents += 1
            }
        }
        summary.leftOutNodes = graph.nodeCount - summary.keptNodes
        summary.leftOutSegments = eligible.reduce(0) { $1 ? $0 : $0 + 1 }
        return SnappableSegments(eligible: eligible, islands: summary)
    }
}

/// Which segments points may snap to, and what the rule left out.
public struct SnappableSegments: Sendable {
    /// One flag per segment of the graph.
    public var eligible: [Bool]
    public var islands: RoadIslands

    public var all: Bool { islands.leftOutSegments == 0 }
}

/// What the island rule did to a graph: components (counting only those holding at least one
/// segment, not lone nodes such as the end of a one-way dead end) kept and left out.
public struct RoadIslands: Sendable, Equatable {
    /// The `minComponentNodes` the rule was applied with.
    public var minimumNodes: Int
    public var keptComponents = 0
    public var keptNodes = 0
    /// Components with fewer nodes than the minimum, whose segments no point snaps to.
    public var leftOutComponents = 0
    /// Nodes outside the kept components, lone nodes included.
    public var leftOutNodes = 0
    /// Segments points may not snap to: inside a left-out component or between two components
    /// of which one is left out.
    public var leftOutSegments = 0
    public var largestComponentNodes = 0
    /// No component reached the minimum, so the largest one alone was kept.
    public var keptLargestOnly = false
    /// No component holds a segment (every road one-way with no way back), so the rule kept
    /// every segment rather than none.
    public var keptEverything = false

    public init(minimumNodes: Int, keptLargestOnly: Bool = false) {
        self.minimumNodes = minimumNodes
        self.keptLargestOnly = keptLargestOnly
    }
}
