import Atlas
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    FuzzInput.expectAtlasError { _ = try GeoJSONReader.read(bytes: bytes, source: "input.geojson") }
    return 0
}
