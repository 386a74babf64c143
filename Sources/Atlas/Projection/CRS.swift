import Foundation

/// A coordinate reference system as a value: an authority code ("EPSG:3006"), a WKT
/// definition (OGC or ESRI, as found in a `.prj`) or a PROJ string. PROJ interprets it;
/// see `CRSInfo` and `Transformer`.
public struct CRS: Hashable, Sendable, CustomStringConvertible {
    public let definition: String

    public init(definition: String) {
        self.definition = definition.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public init(epsg: Int) {
        self.definition = "EPSG:\(epsg)"
    }

    public static let wgs84 = CRS(epsg: 4326)
    /// SWEREF 99 TM, Sweden's national grid.
    public static let sweref99TM = CRS(epsg: 3006)

    /// The EPSG code when the definition is literally an EPSG reference.
    public var literalEPSG: Int? {
        let upper = definition.uppercased()
        guard upper.hasPrefix("EPSG:") else { return nil }
        return Int(upper.dropFirst(5))
    }

    public var description: String { literalEPSG.map { "EPSG:\($0)" } ?? definition }
}
