/// Chooses the CRS in which distances and areas are computed: never degrees.
public enum MetricCRS {
    /// EPSG:3006's area of use (Sweden, onshore and offshore), lon/lat.
    public static let swedenLonLat = Bounds(minX: 10.03, minY: 54.96, maxX: 24.17, maxY: 69.07)

    /// SWEREF 99 TM when the data lies inside Sweden, else the WGS 84 UTM zone of its centre
    /// (EPSG:326zz north of the equator, 327zz south).
    public static func choose(forLonLatBounds bounds: Bounds) -> CRS {
        if swedenLonLat.contains(Coordinate(bounds.minX, bounds.minY)),
            swedenLonLat.contains(Coordinate(bounds.maxX, bounds.maxY))
        {
            return .sweref99TM
        }
        let centre = bounds.center
        return CRS(epsg: (centre.y < 0 ? 32700 : 32600) + utmZone(longitude: centre.x))
    }

    /// The standard 6°-wide UTM zone, 1…60 (the Norwegian and Svalbard exceptions are ignored).
    public static func utmZone(longitude: Double) -> Int {
        let zone = Int(((longitude + 180) / 6).rounded(.down)) + 1
        return min(max(zone, 1), 60)
    }
}
