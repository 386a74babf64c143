import Foundation

/// How a line layer says which way a road may be travelled: a field and the values meaning
/// "along the digitised direction only", "against it only" and "closed". Any other value
/// (or null) means both directions.
///
/// Written on the command line as `forward=FT,backward=TF,closed=N`, with `|` between several
/// values for one direction (`forward=1|FT`); `both=…` may be listed for documentation and
/// has no further effect.
public struct OnewayRule: Sendable, Equatable {
    public var field: String
    public var forward: Set<String>
    public var backward: Set<String>
    public var closed: Set<String>

    public init(field: String, forward: Set<String>, backward: Set<String>, closed: Set<String> = []) {
        self.field = field
        self.forward = forward
        self.backward = backward
        self.closed = closed
    }

    public init(field: String, values: String) throws {
        var forward: Set<String> = [], backward: Set<String> = [], closed: Set<String> = []
        for part in values.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[1].isEmpty else {
                throw AtlasError("oneway values: expected DIRECTION=VALUE, got '\(part)'")
            }
            let listed = Set(pair[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) })
            switch pair[0].lowercased() {
            case "forward": forward.formUnion(listed)
            case "backward": backward.formUnion(listed)
            case "closed", "none": closed.formUnion(listed)
            case "both": break
            default:
                throw AtlasError("oneway values: unknown direction '\(pair[0])' (use forward, backward, both, closed)")
            }
        }
        guard !(forward.isEmpty && backward.isEmpty && closed.isEmpty) else {
            throw AtlasError("oneway values: name at least one forward, backward or closed value")
        }
        self.init(field: field, forward: forward, backward: backward, closed: closed)
    }
}

/// Where the lines of a line layer meet.
public enum LineJunctions: String, Sendable, CaseIterable {
    /// At every vertex two or more lines share (within the snap tolerance), ends and
    /// interior vertices alike: the right reading of NVDB exports, municipal road layers and
    /// lines written by ogr2ogr, where a road often runs on past the junctions along it.
    case vertices
    /// Only where line ends meet, for layers in which roads crossing at different levels
    /// share a vertex.
    case ends
}

/// Turns a line layer (NVDB-style shapefile, GeoJSON) in a metric CRS into a `RoadGraph`.
///
/// Each line's vertices become nodes and its straight pieces segments. Vertices closer than
/// `snapTolerance` metres (default 0.5 m: digitising noise in NVDB is centimetres, and real
/// separate roads are metres apart) are joined into one node, so lines connect wherever they
/// share a vertex, at their ends or part-way along (`junctions`); lines that cross without a
/// shared vertex stay apart, as bridges and tunnels must. Car speed comes from `speedField`
/// (km/h) or `defaultSpeed` when missing or not positive. With `backwardSpeedField` as well,
/// the two fields are the speeds along and against the digitised direction, as NVDB gives
/// them, and 0 or null closes that direction. Bike and walk use the profile's fixed speeds
/// and read no speed field. Walking ignores the oneway rule.
public struct LineNetworkOptions: Sendable {
    public var mode: TravelMode
    public var speedField: String?
    public var backwardSpeedField: String?
    public var defaultSpeed: Double
    public var oneway: OnewayRule?
    public var snapTolerance: Double
    public var junctions: LineJunctions

    public init(
        mode: TravelMode = .car, speedField: String? = nil, backwardSpeedField: String? = nil, defaultSpeed: Double = 50,
        oneway: OnewayRule? = nil, snapTolerance: Double = 0.5, junctions: LineJunctions = .vertices
    ) {
        self.mode = mode
        self.speedField = speedField
        self.backwardSpeedField = backwardSpeedField
        self.defaultSpeed = defaultSpeed
        self.oneway = oneway
        self.snapTolerance = snapTolerance
        self.junctions = junctions
    }
}

/// What reading a line layer as a road network left out.
public struct LineNetworkReport: Sendable, Equatable {
    /// Lines closed in both directions by their per-direction speeds (0 or null in both
    /// fields), record numbers counted from 1.
    public var recordsWithoutSpeed: [Int] = []
}

extension RoadGraph {
    public init(lines layer: Layer, options: LineNetworkOptions) throws {
        var report = LineNetworkReport()
        try self.init(lines: layer, options: options, report: &report)
    }

    /// The graph of the lines, its nodes numbered in `order` (by default in the order the
    /// vertices come).
    public init(lines layer: Layer, options: LineNetworkOptions, report: inout LineNetworkReport, order: NodeOrder = .asGiven) throws {
        guard options.defaultSpeed > 0 else { throw AtlasError("the default speed must be positive") }
        guard options.snapTolerance >= 0, options.snapTolerance.isFinite else {
            throw AtlasError("the snap tolerance must be a distance ≥ 0, got \(options.snapTolerance)")
        }
        if options.backwardSpeedField != nil && options.speedField == nil {
            throw AtlasError("a backward speed field needs a speed field for the forward direction")
        }
        let speedIndex = try options.speedField.map { try layer.fieldIndex($0) }
        let backwardIndex = try options.backwardSpeedField.map { try layer.fieldIndex($0) }
        let onewayIndex = try options.oneway.map { try layer.fieldIndex($0.field) }
        var x: [Double] = []
        var y: [Double] = []
        var segments = RoadSegmentList()
        var joiner = VertexJoiner(tolerance: max(options.snapTolerance, 1e-9))

        func directionSpeed(_ feature: Feature, _ index: Int, _ record: Int) throws -> Double {
            let value = feature.values[index]
            if value.isNull { return 0 }
            guard let kmh = value.parsedNumber, kmh >= 0, kmh.isFinite else {
                throw AtlasError(file: layer.source, record: record + 1, field: layer.fields[index].name, "expected a speed in km/h (0 or empty for a closed direction), got '\(value.text ?? "")'")
            }
            return kmh
        }

        for (record, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry else { continue }
            let lines: [[Coordinate]]
            switch geometry {
            case .lineString(let line): lines = [line]
            case .multiLineString(let parts): lines = parts
            default:
                throw AtlasError(file: layer.source, record: record + 1, "a road network needs lines, found a \(geometry.typeName)")
            }
            var forward: Double, backward: Double
            switch options.mode {
            case .car:
                if let speedIndex, let backwardIndex {
                    forward = try directionSpeed(feature, speedIndex, record)
                    backward = try directionSpeed(feature, backwardIndex, record)
                    if forward == 0 && backward == 0 { report.recordsWithoutSpeed.append(record + 1) }
                } else {
                    forward = options.defaultSpeed
                    if let speedIndex, let value = feature.values[speedIndex].parsedNumber, value > 0 { forward = value }
                    backward = forward
                }
            case .bike: forward = TravelProfile.bikeSpeed; backward = forward
            case .walk: forward = TravelProfile.walkSpeed; backward = forward
            }
            if let rule = options.oneway, let onewayIndex, let text = feature.values[onewayIndex].text {
                let value = text.trimmingCharacters(in: .whitespaces)
                if rule.closed.contains(value) {
                    forward = 0; backward = 0
                } else if options.mode != .walk {
                    if rule.forward.contains(value) { backward = 0 }
                    if rule.backward.contains(value) { forward = 0 }
                }
            }
            for line in lines where line.count >= 2 {
                guard line.allSatisfy(\.isFinite) else {
                    throw AtlasError(file: layer.source, record: record + 1, "the line has a non-finite coordinate")
                }
                var previous: Int32 = -1
                for (k, c) in line.enumerated() {
                    let node: Int32
                    if options.junctions == .vertices || k == 0 || k == line.count - 1 {
                        guard let joined = joiner.node(at: c, x: &x, y: &y) else {
                            throw AtlasError(file: layer.source, record: record + 1, "coordinate (\(c.x), \(c.y)) is too far out for a metric CRS")
                        }
                        node = joined
                    } else {
                        node = Int32(x.count)
                        x.append(c.x)
                        y.append(c.y)
                    }
                    if previous >= 0 && previous != node {
                        segments.append(from: previous, to: node, forwardSpeed: forward, backwardSpeed: backward)
                    }
                    previous = node
                }
            }
        }
        try self.init(crs: layer.crs, x: x, y: y, segments: segments, order: order)
    }
}

/// Finds an existing joined vertex within the tolerance, or creates a node. Nodes sit in a
/// hash of grid cells twice as wide as the tolerance, so a point's neighbours within the
/// tolerance lie in the 2×2 cells nearest it. The table holds each occupied cell's latest
/// node, and each node the one before it in its cell: a few bytes per vertex rather than an
/// array per cell, and one memory access per cell looked at.
struct VertexJoiner {
    struct Slot {
        var column: Int
        var row: Int
        var head: Int32  // -1 for an empty slot
    }

    let tolerance: Double
    private let cellSize: Double
    private var slots: [Slot] = []
    private var occupied = 0
    private var previousInCell: [Int32] = []  // by node; -1 ends a cell's list

    init(tolerance: Double) {
        self.tolerance = tolerance
        cellSize = 2 * tolerance
        resize(1 << 10)
    }

    /// The node at `c`, or nil when `c` is too large to place on the grid.
    mutating func node(at c: Coordinate, x: inout [Double], y: inout [Double]) -> Int32? {
        let gx = c.x / cellSize, gy = c.y / cellSize
        let fx = gx.rounded(.down), fy = gy.rounded(.down)
        guard abs(fx) < 1e18, abs(fy) < 1e18 else { return nil }
        let column = Int(fx), row = Int(fy)
        // The neighbouring column and row on the side of the cell the point is nearer.
        let otherColumn = gx - fx < 0.5 ? column - 1 : column + 1
        let otherRow = gy - fy < 0.5 ? row - 1 : row + 1
        var best: Int32 = -1
        var bestDistance = Double.infinity
        for k in 0..<4 {
            var n = slots[slot(k & 1 == 0 ? column : otherColumn, k < 2 ? row : otherRow)].head
            while n >= 0 {
                let dx = x[Int(n)] - c.x, dy = y[Int(n)] - c.y
                let d = (dx * dx + dy * dy).squareRoot()
                if d <= tolerance && (d < bestDistance || (d == bestDistance && n < best)) {
                    best = n
                    bestDistance = d
                }
                n = previousInCell[Int(n)]
            }
        }
        if best >= 0 { return best }
        let node = Int32(x.count)
        x.append(c.x)
        y.append(c.y)
        // Nodes made outside the joiner (interior vertices with `.ends`) hold no place in a cell.
        if previousInCell.count < Int(node) { previousInCell += repeatElement(-1, count: Int(node) - previousInCell.count) }
        let i = slot(column, row)
        if slots[i].head < 0 {
            slots[i] = Slot(column: column, row: row, head: node)
            occupied += 1
            previousInCell.append(-1)
        } else {
            previousInCell.append(slots[i].head)
            slots[i].head = node
        }
        if occupied * 2 > slots.count { resize(slots.count * 2) }
        return node
    }

    /// The slot holding the cell, or the empty slot where it would go (linear probing).
    private func slot(_ column: Int, _ row: Int) -> Int {
        var h = UInt64(bitPattern: Int64(column)) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: Int64(row)) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i].head >= 0 && (slots[i].column != column || slots[i].row != row) { i = (i + 1) & mask }
        return i
    }

    private mutating func resize(_ capacity: Int) {
        let old = slots
        slots = [Slot](repeating: Slot(column: 0, row: 0, head: -1), count: capacity)
        for entry in old where entry.head >= 0 { slots[slot(entry.column, entry.row)] = entry }
    }
}
