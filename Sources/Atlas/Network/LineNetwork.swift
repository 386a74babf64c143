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

/// Turns a line layer (NVDB-style shapefile, GeoJSON) in a metric CRS into a `RoadGraph`.
///
/// Each line's vertices become nodes and its straight pieces segments. Line ends closer than
/// `snapTolerance` metres (default 0.5 m: digitising noise in NVDB is centimetres, and real
/// separate roads are metres apart) are joined into one node, so lines connect only where
/// they share an endpoint; interior vertices never join (bridges over roads stay apart).
/// Car speed comes from `speedField` (km/h) or `defaultSpeed` when missing or not positive;
/// bike and walk use the profile's fixed speeds. Walking ignores the oneway rule.
public struct LineNetworkOptions: Sendable {
    public var mode: TravelMode
    public var speedField: String?
    public var defaultSpeed: Double
    public var oneway: OnewayRule?
    public var snapTolerance: Double

    public init(
        mode: TravelMode = .car, speedField: String? = nil, defaultSpeed: Double = 50,
        oneway: OnewayRule? = nil, snapTolerance: Double = 0.5
    ) {
        self.mode = mode
        self.speedField = speedField
        self.defaultSpeed = defaultSpeed
        self.oneway = oneway
        self.snapTolerance = snapTolerance
    }
}

extension RoadGraph {
    public init(lines layer: Layer, options: LineNetworkOptions) throws {
        guard options.defaultSpeed > 0 else { throw AtlasError("the default speed must be positive") }
        let speedIndex = try options.speedField.map { try layer.fieldIndex($0) }
        let onewayIndex = try options.oneway.map { try layer.fieldIndex($0.field) }
        var x: [Double] = []
        var y: [Double] = []
        var segments = RoadSegmentList()
        var joiner = EndpointJoiner(tolerance: max(options.snapTolerance, 1e-9))

        for (record, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry else { continue }
            let lines: [[Coordinate]]
            switch geometry {
            case .lineString(let line): lines = [line]
            case .multiLineString(let parts): lines = parts
            default:
                throw AtlasError(file: layer.source, record: record + 1, "a road network needs lines, found a \(geometry.typeName)")
            }
            var speed: Double
            switch options.mode {
            case .car:
                speed = options.defaultSpeed
                if let speedIndex, let value = feature.values[speedIndex].parsedNumber, value > 0 { speed = value }
            case .bike: speed = TravelProfile.bikeSpeed
            case .walk: speed = TravelProfile.walkSpeed
            }
            var forward = speed, backward = speed
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
                    if k == 0 || k == line.count - 1 {
                        node = joiner.node(at: c, x: &x, y: &y)
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
        try self.init(crs: layer.crs, x: x, y: y, segments: segments)
    }
}

/// Finds an existing line end within the tolerance, or creates a node: a hash of grid cells
/// as wide as the tolerance, so only the 3×3 cells around a point need checking.
struct EndpointJoiner {
    struct Cell: Hashable { var column: Int; var row: Int }
    let tolerance: Double
    var cells: [Cell: [Int32]] = [:]

    init(tolerance: Double) { self.tolerance = tolerance }

    mutating func node(at c: Coordinate, x: inout [Double], y: inout [Double]) -> Int32 {
        let column = Int((c.x / tolerance).rounded(.down)), row = Int((c.y / tolerance).rounded(.down))
        var best: Int32 = -1
        var bestDistance = Double.infinity
        for dr in -1...1 {
            for dc in -1...1 {
                for n in cells[Cell(column: column + dc, row: row + dr)] ?? [] {
                    let dx = x[Int(n)] - c.x, dy = y[Int(n)] - c.y
                    let d = (dx * dx + dy * dy).squareRoot()
                    if d <= tolerance && d < bestDistance {
                        best = n
                        bestDistance = d
                    }
                }
            }
        }
        if best >= 0 { return best }
        let node = Int32(x.count)
        x.append(c.x)
        y.append(c.y)
        cells[Cell(column: column, row: row), default: []].append(node)
        return node
    }
}
