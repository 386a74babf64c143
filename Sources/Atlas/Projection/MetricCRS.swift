/// Chooses the CRS in which distances and areas are computed: never degrees.
public enum MetricCRS {
    /// EPSG:3006's area of use (Sweden, onshore and offshore), lon/lat.
    public static let swedenLonLat = Bounds(minX: 10.03, minY: 54.96, maxX: 24.17, maxY: 69.07)
    /// Where longitudes and latitudes are positions on Earth.
    public static let earthLonLat = Bounds(minX: -180, minY: -90, maxX: 180, maxY: 90)

    /// Whether every corner of `bounds` is a longitude/latitude (NaN is not).
    public static func isOnEarth(_ bounds: Bounds) -> Bool {
        !bounds.isEmpty && earthLonLat.contains(Coordinate(bounds.minX, bounds.minY))
            && earthLonLat.contains(Coordinate(bounds.maxX, bounds.maxY))
    }

    /// SWEREF 99 TM when the data lies inside Sweden, else the WGS 84 UTM zone of its centre
    /// (EPSG:326zz north of the equator, 327zz south). Bounds off the Earth (see `isOnEarth`,
    /// which callers check to name the record) get the zone of the nearest longitude.
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
        // Clamped before converting: 1e300 or NaN must give a zone, not overflow an Int.
        guard longitude > -180 else { return 1 }
        guard longitude < 180 else { return 60 }
        return min(Int(((longitude + 180) / 6).rounded(.down)) + 1, 60)
    }
}
