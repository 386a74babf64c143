import Atlas

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.write(start, count, name: "input.geojson")
    FuzzInput.expectAtlasError { _ = try GeoJSONReader.read(path: path) }
    return 0
}
