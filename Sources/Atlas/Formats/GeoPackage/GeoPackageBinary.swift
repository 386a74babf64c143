import Foundation

/// The GeoPackageBinary geometry encoding (GeoPackage 1.2, §2.1.3): a header — magic `GP`,
/// version 0, a flags byte (empty flag, envelope code 0–4, byte order) and the srs_id, then an
/// optional envelope — followed by ISO well-known binary. Errors carry only the message; the
/// reader adds the file, layer and feature.
enum GeoPackageBinary {
    /// Envelope sizes in bytes by envelope code: none, xy, xyz, xym, xyzm.
    static let envelopeSizes = [0, 32, 48, 48, 64]

    /// The geometry of a blob, or nil for an empty geometry.
    static func decode(_ blob: UnsafeRawBufferPointer) throws -> Geometry? {
        guard blob.count >= 8 else {
            throw AtlasError("the geometry blob has \(blob.count) bytes, shorter than the 8-byte GeoPackage header")
        }
        guard blob[0] == UInt8(ascii: "G"), blob[1] == UInt8(ascii: "P") else {
            let start = blob.prefix(2).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw AtlasError("the geometry blob starts with \(start), not the GeoPackage magic 'GP'")
        }
        guard blob[2] == 0 else {
            throw AtlasError("GeoPackage binary version \(Int(blob[2]) + 1) is not supported (only version 1)")
        }
        let flags = blob[3]
        guard flags & 0x20 == 0 else {
            throw AtlasError("extended GeoPackage geometries (flag X) are not supported")
        }
        let envelopeCode = Int(flags >> 1) & 0x07
        guard envelopeCode < envelopeSizes.count else {
            throw AtlasError("invalid envelope code \(envelopeCode) in the geometry header (0–4 are defined)")
        }
        let headerLength = 8 + envelopeSizes[envelopeCode]
        guard blob.count >= headerLength else {
            throw AtlasError("the geometry blob has \(blob.count) bytes, shorter than its \(headerLength)-byte header")
        }
        if flags & 0x10 != 0 { return nil }
        var reader = WKBReader(bytes: UnsafeRawBufferPointer(rebasing: blob[headerLength...]))
        return try reader.geometry(depth: 0)
    }

    /// The blob for a geometry, with an xy envelope (none for points, as GDAL writes them) and
    /// the geometry's bounds for the spatial index; nil bounds for an empty geometry.
    static func encode(_ geometry: Geometry, srsID: Int32) throws -> (blob: [UInt8], bounds: Bounds?) {
        var writer = WKBWriter()
        writer.bytes.reserveCapacity(64)
        let bounds = geometry.bounds
        var flags: UInt8 = 0x01
        if bounds == nil {
            flags |= 0x10
        } else if case .point = geometry {
        } else {
            flags |= 1 << 1
        }
        writer.bytes.append(contentsOf: [UInt8(ascii: "G"), UInt8(ascii: "P"), 0, flags])
        writer.append(UInt32(bitPattern: srsID))
        if let bounds, flags & 0x0E != 0 {
            for v in [bounds.minX, bounds.maxX, bounds.minY, bounds.maxY] { writer.append(v) }
        }
        if bounds == nil {
            writer.appendEmpty(like: geometry)
        } else {
            try writer.append(geometry)
        }
        return (writer.bytes, bounds)
    }

    /// A blob holding a single point, line or polygon rewritten as a one-part multi geometry
    /// (header and envelope kept); nil when the blob holds anything else.
    static func promotedToMulti(_ blob: [UInt8]) -> [UInt8]? {
        guard blob.count >= 8 else { return nil }
        let envelopeCode = Int(blob[3] >> 1) & 0x07
        guard envelopeCode < envelopeSizes.count else { return nil }
        let headerLength = 8 + envelopeSizes[envelopeCode]
        guard blob.count >= headerLength + 5 else { return nil }
        let littleEndian = blob[headerLength] == 1
        let typeBytes = blob[(headerLength + 1)..<(headerLength + 5)]
        let type = typeBytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        let code = littleEndian ? type : type.byteSwapped
        guard (1...3).contains(code) else { return nil }
        var writer = WKBWriter()
        writer.bytes.append(contentsOf: blob[..<headerLength])
        writer.bytes.append(1)
        writer.append(code + 3)
        writer.append(UInt32(1))
        writer.bytes.append(contentsOf: blob[headerLength...])
        return writer.bytes
    }
}

/// Reads ISO well-known binary (either byte order, per part), keeping x and y of 2D, Z, M and
/// ZM coordinates; the EWKB Z/M/SRID flags are accepted too. Every count is checked against the
/// bytes left before anything is allocated.
struct WKBReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    private var littleEndian = true
    private var dimensions = 2

    static let maximumDepth = 32

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private static let typeNames = [
        1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
        7: "GeometryCollection",
    ]

    /// One geometry; nil when it is empty (no rings, no parts, or a point of NaN coordinates).
    mutating func geometry(depth: Int) throws -> Geometry? {
        guard depth <= Self.maximumDepth else {
            throw AtlasError("geometry collections nested deeper than \(Self.maximumDepth) levels")
        }
        let type = try header()
        switch type {
        case 1:
            let c = try coordinate()
            if c.x.isNaN && c.y.isNaN { return nil }
            try check(c)
            return .point(c)
        case 2:
            let points = try coordinates()
            if points.isEmpty { return nil }
            guard points.count >= 2 else { throw AtlasError("a line string has 1 point, a line needs 2") }
            return .lineString(points)
        case 3:
            let rings = try polygonRings()
            return rings.isEmpty ? nil : .polygon(rings)
        case 4, 5, 6:
            let partCount = try count(minimumBytesEach: 9, what: "parts")
            var parts: [Geometry] = []
            parts.reserveCapacity(partCount)
            for n in 0..<partCount {
                let start = offset
                let saved = (littleEndian, dimensions)
                guard let part = try geometry(depth: depth + 1) else {
                    (littleEndian, dimensions) = saved
                    continue
                }
                (littleEndian, dimensions) = saved
                let expected = type - 3
                guard let partType = Self.typeCode(part), partType == expected else {
                    throw AtlasError(
                        "part \(n + 1) (at byte \(start)) of a \(Self.typeNames[type]!) is a \(part.typeName),"
                            + " expected a \(Self.typeNames[expected]!)")
                }
                parts.append(part)
            }
            if parts.isEmpty { return nil }
            switch type {
            case 4: return .multiPoint(parts.flatMap(\.points))
            case 5: return .multiLineString(parts.map { if case .lineString(let cs) = $0 { cs } else { [] } })
            default: return .multiPolygon(parts.flatMap(\.polygons))
            }
        case 7:
            let partCount = try count(minimumBytesEach: 9, what: "parts")
            var parts: [Geometry] = []
            for _ in 0..<partCount {
                let saved = (littleEndian, dimensions)
                if let part = try geometry(depth: depth + 1) { parts.append(part) }
                (littleEndian, dimensions) = saved
            }
            return parts.isEmpty ? nil : .collection(parts)
        default:
            let curves = [8: "CircularString", 9: "CompoundCurve", 10: "CurvePolygon", 11: "MultiCurve", 12: "MultiSurface",
                          13: "Curve", 14: "Surface", 15: "PolyhedralSurface", 16: "TIN", 17: "Triangle"]
            if let name = curves[type] { throw AtlasError("\(name) geometries are not supported") }
            throw AtlasError("unknown WKB geometry type \(type)")
        }
    }

    private static func typeCode(_ g: Geometry) -> Int? {
        switch g {
        case .point: 1
        case .lineString: 2
        case .polygon: 3
        default: nil
        }
    }

    /// Reads the byte order and type; sets the coordinate dimensions; returns the base type 1–17.
    private mutating func header() throws -> Int {
        try need(5, "a geometry header")
        switch bytes[offset] {
        case 0: littleEndian = false
        case 1: littleEndian = true
        default: throw AtlasError("invalid WKB byte order \(bytes[offset]) at byte \(offset) (0 or 1)")
        }
        offset += 1
        let raw = uint32()
        var type = raw & 0x0FFF_FFFF
        var hasZ = raw & 0x8000_0000 != 0
        var hasM = raw & 0x4000_0000 != 0
        if raw & 0x2000_0000 != 0 {
            try need(4, "an EWKB SRID")
            offset += 4
        }
        switch type / 1000 {
        case 0: break
        case 1: hasZ = true
        case 2: hasM = true
        case 3: hasZ = true; hasM = true
        default: throw AtlasError("unknown WKB geometry type \(raw)")
        }
        type %= 1000
        dimensions = 2 + (hasZ ? 1 : 0) + (hasM ? 1 : 0)
        return Int(type)
    }

    private mutating func polygonRings() throws -> [[Coordinate]] {
        let ringCount = try count(minimumBytesEach: 4, what: "rings")
        var rings: [[Coordinate]] = []
        rings.reserveCapacity(ringCount)
        for n in 0..<ringCount {
            let points = try coordinates()
            rings.append(try ShapeConversion.ring(points, number: n + 1))
        }
        return rings
    }

    private mutating func coordinates() throws -> [Coordinate] {
        let n = try count(minimumBytesEach: 8 * dimensions, what: "points")
        var result: [Coordinate] = []
        result.reserveCapacity(n)
        for _ in 0..<n {
            let c = try coordinate()
            try check(c)
            result.append(c)
        }
        return result
    }

    private func check(_ c: Coordinate) throws {
        guard c.isFinite else { throw AtlasError("a coordinate is not a finite number (\(c.x), \(c.y))") }
    }

    private mutating func coordinate() throws -> Coordinate {
        try need(8 * dimensions, "a coordinate")
        let x = double(), y = double()
        offset += 8 * (dimensions - 2)
        return Coordinate(x, y)
    }

    /// A count, checked against the bytes left: each element takes at least `minimumBytesEach`.
    private mutating func count(minimumBytesEach: Int, what: String) throws -> Int {
        try need(4, "a count of \(what)")
        let at = offset
        let n = Int(uint32())
        guard n <= (bytes.count - offset) / minimumBytesEach else {
            throw AtlasError(
                "the WKB says \(n) \(what) at byte \(at), more than the \(bytes.count - offset) bytes left can hold"
                    + " (truncated geometry)")
        }
        return n
    }

    private func need(_ n: Int, _ what: String) throws {
        guard bytes.count - offset >= n else {
            throw AtlasError("the WKB ends at byte \(bytes.count) inside \(what) (truncated geometry)")
        }
    }

    private mutating func uint32() -> UInt32 {
        var v: UInt32 = 0
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 4])) }
        offset += 4
        return littleEndian ? UInt32(littleEndian: v) : UInt32(bigEndian: v)
    }

    private mutating func double() -> Double {
        var v: UInt64 = 0
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 8])) }
        offset += 8
        return Double(bitPattern: littleEndian ? UInt64(littleEndian: v) : UInt64(bigEndian: v))
    }
}

/// Writes little-endian 2D ISO well-known binary.
struct WKBWriter {
    var bytes: [UInt8] = []

    mutating func append(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func start(_ type: UInt32) {
        bytes.append(1)
        append(type)
    }

    private mutating func append(_ c: Coordinate) throws {
        guard c.isFinite else { throw AtlasError("a coordinate is not a finite number (\(c.x), \(c.y))") }
        append(c.x)
        append(c.y)
    }

    private mutating func append(points: [Coordinate]) throws {
        append(UInt32(points.count))
        for c in points { try append(c) }
    }

    private mutating func append(rings: [[Coordinate]]) throws {
        start(3)
        append(UInt32(rings.count))
        for ring in rings { try append(points: ring) }
    }

    /// The empty geometry of the same type: a point of NaN coordinates (as GDAL writes it), else no parts.
    mutating func appendEmpty(like geometry: Geometry) {
        let type: UInt32
        switch geometry {
        case .point:
            start(1)
            append(Double.nan)
            append(Double.nan)
            return
        case .lineString: type = 2
        case .polygon: type = 3
        case .multiPoint: type = 4
        case .multiLineString: type = 5
        case .multiPolygon: type = 6
        case .collection: type = 7
        }
        start(type)
        append(UInt32(0))
    }

    mutating func append(_ geometry: Geometry) throws {
        switch geometry {
        case .point(let c):
            start(1)
            try append(c)
        case .lineString(let cs):
            start(2)
            try append(points: cs)
        case .polygon(let rings):
            try append(rings: rings)
        case .multiPoint(let cs):
            start(4)
            append(UInt32(cs.count))
            for c in cs {
                start(1)
                try append(c)
            }
        case .multiLineString(let lines):
            start(5)
            append(UInt32(lines.count))
            for line in lines {
                start(2)
                try append(points: line)
            }
        case .multiPolygon(let polygons):
            start(6)
            append(UInt32(polygons.count))
            for rings in polygons { try append(rings: rings) }
        case .collection(let parts):
            start(7)
            append(UInt32(parts.count))
            for part in parts { try append(part) }
        }
    }
}
