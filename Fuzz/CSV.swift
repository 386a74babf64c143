import Atlas

/// The layer reader over a CSV: point tables by lon/lat or x/y columns, SCB grid tables by rutid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.write(start, count, name: "input.csv")
    FuzzInput.expectAtlasError { _ = try LayerReader.read(path: path, options: LayerOptions(crs: .sweref99TM)) }
    return 0
}
