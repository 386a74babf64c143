import Foundation

/// A layer whose coordinates cannot be in the CRS it is read in: SWEREF 99 TM metres read as
/// WGS 84 (a GeoJSON without a `crs` member, a shapefile exported with the wrong `--crs`) would
/// otherwise be written with longitudes of 475071, and degrees read as metres land off Africa.
public struct CRSMismatch: Sendable, Hashable {
    /// The file the layer was read from.
    public var source: String
    public var crs: CRS
    /// The CRS as the message names it: "WGS 84 (EPSG:4326)".
    public var crsLabel: String
    /// The layer's extent in its own coordinates.
    public var extent: Bounds
    /// What does not fit, as the message says it.
    public var problem: String
    /// A usual CRS the coordinates do fit, when there is one.
    public var guess: CRSGuess?

    public var message: String {
        let advice = guess.map { "the coordinates look like \($0.description): pass --crs \($0.code)" }
            ?? "pass the CRS they are in with --crs EPSG:N"
        return "the coordinates do not fit \(crsLabel): \(problem); \(advice)"
    }

    public var error: AtlasError { AtlasError(file: source, message) }
}

/// A CRS that coordinates seem to be in.
public struct CRSGuess: Sendable, Hashable, CustomStringConvertible {
    /// What to pass to `--crs`: "EPSG:3006", or "EPSG:326NN" when only the family is known.
    public var code: String
    public var name: String
    /// Said with the guess, e.g. that a UTM zone cannot be told from the coordinates.
    public var note: String?

    public var description: String { "\(name) (\(code)\(note.map { "; \($0)" } ?? ""))" }
}

/// Checks coordinates against the CRS they are said to be in, and guesses the CRS they are in.
public enum CoordinateFit {
    /// How far outside its area of use a CRS still counts as fitting. Grids are used beyond their
    /// areas (all of Sweden in UTM zone 33, 6° wide, reaches 280 km past it); a wrong CRS misses
    /// by far more (SWEREF 99 TM read as RT90 lands 1,000 km west of Sweden).
    public static let margin = 300_000.0

    /// Nil when the extent fits: within ±180/±90 for a geographic CRS, and inside the CRS's area
    /// of use (widened by `margin`) once transformed to lon/lat.
    public static func mismatch(
        extent: Bounds, crs: CRS, source: String, context: PROJContext? = nil
    ) throws -> CRSMismatch? {
        guard !extent.isEmpty else { return nil }
        // WGS 84's area is the world: degrees fit it without asking PROJ.
        if crs == .wgs84, isDegrees(extent) { return nil }
        var found = CRSMismatch(source: source, crs: crs, crsLabel: "WGS 84 (EPSG:4326)", extent: extent, problem: "", guess: nil)
        let isWGS84 = crs == .wgs84
        let context = try context ?? PROJContext()
        let info: CRSInfo
        if isWGS84 {
            info = CRSInfo(name: "WGS 84", epsg: 4326, isGeographic: true, unit: "degree")
        } else {
            do { info = try crs.info(context: context) } catch let error as AtlasError { throw error.inFile(source) }
            found.crsLabel = label(name: info.name, epsg: info.epsg, crs: crs)
        }
        if info.isGeographic, !isDegrees(extent) {
            found.problem = "the extent \(text(extent)) is not longitude and latitude, which lie within ±180 and ±90"
        } else if let area = areaOfUse(info), !isWGS84 {
            guard let lonLat = lonLatExtent(of: extent, in: crs, context: context) else {
                found.problem = "the extent \(text(extent)) cannot be transformed to longitude and latitude"
                found.guess = guess(extent: extent, excluding: crs, epsg: info.epsg, context: context)
                return found
            }
            guard !contains(area.bounds, lonLat, margin: margin) else { return nil }
            found.problem = "the extent \(text(extent)) lies at lon/lat \(text(lonLat)), outside the area of use of the CRS ("
                + firstSentence(area.name) + ": lon/lat \(text(area.bounds)))"
        } else {
            return nil
        }
        found.guess = guess(extent: extent, excluding: crs, epsg: info.epsg, context: context)
        return found
    }

    /// The first of the usual CRSs whose area of use holds the extent when read in it: WGS 84 when
    /// the numbers are degrees, SWEREF 99 TM, RT90 2.5 gon V, the SWEREF 99 local zones, UTM
    /// (whose zone the coordinates cannot tell) and Web Mercator.
    public static func guess(
        extent: Bounds, excluding excluded: CRS? = nil, epsg excludedEPSG: Int? = nil, context: PROJContext? = nil
    ) -> CRSGuess? {
        guard !extent.isEmpty, let context = try? context ?? PROJContext() else { return nil }
        if isDegrees(extent), excluded != .wgs84, excludedEPSG != 4326 {
            return CRSGuess(code: "EPSG:4326", name: "WGS 84 longitude/latitude")
        }
        let swedish = [3006, 3021] + Array(3007...3018)
        for code in swedish + [32633, 32733, 3857] where code != excludedEPSG && CRS(epsg: code) != excluded {
            let candidate = CRS(epsg: code)
            guard let info = try? candidate.info(context: context), let area = areaOfUse(info),
                let lonLat = lonLatExtent(of: extent, in: candidate, context: context)
            else { continue }
            switch code {
            case 32633, 32733:
                // Every zone fits coordinates relative to its own meridian: only the hemisphere shows.
                guard contains(area.bounds, lonLat, margin: margin) else { continue }
                let hemisphere = code == 32633 ? (326, "north") : (327, "south")
                return CRSGuess(
                    code: "EPSG:\(hemisphere.0)NN", name: "WGS 84 / UTM zone NN, \(hemisphere.1) of the equator",
                    note: "the zone NN cannot be told from the coordinates")
            default:
                guard contains(area.bounds, lonLat, margin: 0) else { continue }
                return CRSGuess(code: "EPSG:\(code)", name: displayName(info.name))
            }
        }
        return nil
    }

    /// The area a CRS is used in: PROJ's, except for RT90 2.5 gon V, Sweden's national grid until
    /// SWEREF 99 TM, which EPSG gives only the strip of communes along its meridian.
    static func areaOfUse(_ info: CRSInfo) -> AreaOfUse? {
        if info.epsg == 3021 { return AreaOfUse(name: "Sweden, as the national grid", bounds: MetricCRS.swedenLonLat) }
        return info.areaOfUse
    }

    /// "WGS 84 (EPSG:4326)", with SWEREF written as Lantmäteriet writes it.
    static func label(name: String, epsg: Int?, crs: CRS) -> String {
        displayName(name) + " (" + (epsg.map { "EPSG:\($0)" } ?? crs.label) + ")"
    }

    static func displayName(_ name: String) -> String {
        name.replacingOccurrences(of: "SWEREF99", with: "SWEREF 99")
    }

    /// "Sweden - onshore and offshore" of PROJ's "Sweden - onshore and offshore.", and of longer
    /// names the part before "See information source for map." and lists of countries.
    static func firstSentence(_ text: String) -> String {
        let end = text.range(of: ". ")?.lowerBound ?? text.endIndex
        return String(text[..<end]).trimmingCharacters(in: CharacterSet(charactersIn: ". "))
    }

    static func isDegrees(_ b: Bounds) -> Bool {
        let slack = 1e-6
        return b.minX >= -180 - slack && b.maxX <= 180 + slack && b.minY >= -90 - slack && b.maxY <= 90 + slack
    }

    static func lonLatExtent(of extent: Bounds, in crs: CRS, context: PROJContext) -> Bounds? {
        guard let transformer = try? Transformer(from: crs, to: .wgs84, context: context),
            let lonLat = try? transformer.transform(extent), isDegrees(lonLat)
        else { return nil }
        return lonLat
    }

    /// Whether `area` widened by `margin` metres holds `box` (both lon/lat). The longitude margin is
    /// taken at the box's latitude nearest a pole, where a degree is shortest.
    static func contains(_ area: Bounds, _ box: Bounds, margin: Double) -> Bool {
        let metresPerDegree = 111_320.0
        let latitude = min(85, max(abs(box.minY), abs(box.maxY))) * .pi / 180
        let dLat = margin / metresPerDegree
        let dLon = margin / (metresPerDegree * cos(latitude))
        guard box.minY >= area.minY - dLat, box.maxY <= area.maxY + dLat else { return false }
        // An area across the antimeridian (west > east) is judged by latitude only.
        guard area.minX <= area.maxX else { return true }
        return box.minX >= area.minX - dLon && box.maxX <= area.maxX + dLon
    }

    /// "475071, 6701234 – 520000, 6800000" for metres, four decimals for degrees.
    static func text(_ b: Bounds) -> String {
        func n(_ v: Double) -> String { abs(v) >= 1000 ? String(format: "%.0f", v) : String(format: "%.4f", v) }
        return "\(n(b.minX)), \(n(b.minY)) – \(n(b.maxX)), \(n(b.maxY))"
    }
}

extension Layer {
    /// Whether the coordinates fit the layer's CRS (see `CoordinateFit`); nil when they do, or when
    /// the layer has no CRS or no coordinates.
    public func crsMismatch(context: PROJContext? = nil) throws -> CRSMismatch? {
        guard let crs, let extent = bounds else { return nil }
        return try CoordinateFit.mismatch(extent: extent, crs: crs, source: source, context: context)
    }
}
