import CPROJ
import Foundation

/// What PROJ makes of a CRS: its name, EPSG code when one matches, and its kind of coordinates.
public struct CRSInfo: Hashable, Sendable {
    public var name: String
    /// The EPSG code from the definition itself, or identified by PROJ with confidence ≥ 70 %
    /// (as for the ESRI WKT in `.prj` files, which carries no authority).
    public var epsg: Int?
    /// Coordinates are longitude/latitude in degrees.
    public var isGeographic: Bool
    /// The unit of the first axis as PROJ names it: "metre", "degree", "US survey foot", …
    public var unit: String
    /// Where the CRS is meant to be used, from PROJ's database (for a definition without an
    /// authority, that of the identified EPSG code); nil when PROJ does not know.
    public var areaOfUse: AreaOfUse?

    public init(name: String, epsg: Int?, isGeographic: Bool, unit: String, areaOfUse: AreaOfUse? = nil) {
        self.name = name
        self.epsg = epsg
        self.isGeographic = isGeographic
        self.unit = unit
        self.areaOfUse = areaOfUse
    }
}

/// A CRS's area of use: a name ("Sweden - onshore and offshore.") and a lon/lat box in degrees.
public struct AreaOfUse: Hashable, Sendable {
    public var name: String
    /// West, south, east and north in degrees; `minX > maxX` when the area crosses the antimeridian.
    public var bounds: Bounds

    public init(name: String, bounds: Bounds) {
        self.name = name
        self.bounds = bounds
    }
}

extension CRS {
    /// Asks PROJ about this CRS; throws with PROJ's reason when it cannot parse the definition.
    public func info(context: PROJContext? = nil) throws -> CRSInfo {
        let context = try context ?? PROJContext()
        let object = try context.crs(self)
        let h = context.handle
        let horizontal = try CRS.horizontal(object)
        let type = proj_get_type(horizontal.pointer)
        let geographicTypes = [PJ_TYPE_GEOGRAPHIC_CRS, PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS]
        let projectedTypes = [PJ_TYPE_PROJECTED_CRS, PJ_TYPE_GEOCENTRIC_CRS, PJ_TYPE_ENGINEERING_CRS]
        guard geographicTypes.contains(type) || projectedTypes.contains(type) else {
            throw AtlasError("\(label) is not a horizontal coordinate reference system")
        }
        let cs = try PROJObject(proj_crs_get_coordinate_system(h, horizontal.pointer), context: context,
                                what: "no coordinate system in \(label)")
        var unitName: UnsafePointer<CChar>?
        guard proj_cs_get_axis_info(h, cs.pointer, 0, nil, nil, nil, nil, &unitName, nil, nil) != 0 else {
            throw context.error("no axis information in \(label)")
        }
        var name = proj_get_name(object.pointer).map { String(cString: $0) } ?? description
        var epsg = CRS.epsgCode(of: object.pointer)
        if epsg == nil, let match = CRS.identify(object) {
            epsg = match.code
            name = match.name
        }
        var area = CRS.areaOfUse(of: object) ?? CRS.areaOfUse(of: horizontal)
        if area == nil, let epsg, let identified = try? context.crs(CRS(epsg: epsg)) {
            area = CRS.areaOfUse(of: identified)
        }
        return CRSInfo(
            name: name, epsg: epsg, isGeographic: geographicTypes.contains(type),
            unit: unitName.map { String(cString: $0) } ?? "unknown", areaOfUse: area)
    }

    /// PROJ's area of use of an object; nil when it has none (PROJ then reports -1000 degrees).
    static func areaOfUse(of object: PROJObject) -> AreaOfUse? {
        var west = 0.0, south = 0.0, east = 0.0, north = 0.0
        var name: UnsafePointer<CChar>?
        guard proj_get_area_of_use(object.context.handle, object.pointer, &west, &south, &east, &north, &name) != 0,
            west > -1000, south > -1000, east > -1000, north > -1000
        else { return nil }
        return AreaOfUse(
            name: name.map { String(cString: $0) } ?? "",
            bounds: Bounds(minX: west, minY: south, maxX: east, maxY: north))
    }

    /// The horizontal part of a bound or compound CRS, else the CRS itself.
    static func horizontal(_ object: PROJObject) throws -> PROJObject {
        let h = object.context.handle
        switch proj_get_type(object.pointer) {
        case PJ_TYPE_BOUND_CRS:
            return try horizontal(PROJObject(proj_get_source_crs(h, object.pointer), context: object.context, what: "bound CRS"))
        case PJ_TYPE_COMPOUND_CRS:
            return try horizontal(PROJObject(proj_crs_get_sub_crs(h, object.pointer, 0), context: object.context, what: "compound CRS"))
        default:
            return object
        }
    }

    static func epsgCode(of pj: OpaquePointer) -> Int? {
        guard let authority = proj_get_id_auth_name(pj, 0), String(cString: authority) == "EPSG",
            let code = proj_get_id_code(pj, 0)
        else { return nil }
        return Int(String(cString: code))
    }

    /// The best EPSG match PROJ finds with at least 70 % confidence.
    static func identify(_ object: PROJObject) -> (code: Int, name: String)? {
        let h = object.context.handle
        var confidence: UnsafeMutablePointer<Int32>?
        guard let list = proj_identify(h, object.pointer, "EPSG", nil, &confidence) else { return nil }
        defer {
            proj_list_destroy(list)
            proj_int_list_destroy(confidence)
        }
        // PROJ sorts candidates by decreasing confidence.
        for i in 0..<proj_list_get_count(list) where (confidence?[Int(i)] ?? 0) >= 70 {
            guard let candidate = proj_list_get(h, list, i) else { continue }
            defer { proj_destroy(candidate) }
            if let code = epsgCode(of: candidate) {
                return (code, proj_get_name(candidate).map { String(cString: $0) } ?? "EPSG:\(code)")
            }
        }
        return nil
    }
}

extension CRS {
    /// A short name for messages: "EPSG:3006", or the name a WKT definition starts with.
    var label: String {
        if let code = literalEPSG { return "EPSG:\(code)" }
        if let open = definition.firstIndex(of: "\""),
            let close = definition[definition.index(after: open)...].firstIndex(of: "\"")
        {
            return String(definition[definition.index(after: open)..<close])
        }
        return String(definition.prefix(80))
    }
}

extension CRS {
    /// The CRS as one-line WKT: WKT1 as GDAL writes it (the form GeoPackage's `definition`
    /// column holds), or WKT2 (2019) for the `definition_12_063` column.
    func wkt(version2: Bool = false, context: PROJContext? = nil) throws -> String {
        let context = try context ?? PROJContext()
        let object = try context.crs(self)
        let options = ["MULTILINE=NO"]
        var pointers = options.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        // The text belongs to the PROJ object, so it is copied before the object can go.
        let text: String? = withExtendedLifetime(object) {
            pointers.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                    proj_as_wkt(context.handle, object.pointer, version2 ? PJ_WKT2_2019 : PJ_WKT1_GDAL, $0)
                }
            }.map { String(cString: $0) }
        }
        guard let text else { throw context.error("PROJ cannot write \(label) as WKT") }
        return text
    }
}
