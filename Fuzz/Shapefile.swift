import Atlas

/// One input holds the three files of a shapefile: two little-endian 32-bit lengths (of the
/// `.shp` and the `.shx`), then the `.shp`, the `.shx` and the `.dbf` bytes. Lengths past
/// the end are cut to what is there.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard count >= 8 else { return 0 }
    func length(at offset: Int) -> Int {
        Int(input[offset]) | Int(input[offset + 1]) << 8 | Int(input[offset + 2]) << 16 | Int(input[offset + 3]) << 24
    }
    let shpEnd = min(count, 8 + length(at: 0))
    let shxEnd = min(count, shpEnd + length(at: 4))
    FuzzInput.write(UnsafeRawBufferPointer(rebasing: input[8..<shpEnd]), name: "layer.shp")
    FuzzInput.write(UnsafeRawBufferPointer(rebasing: input[shpEnd..<shxEnd]), name: "layer.shx")
    FuzzInput.write(UnsafeRawBufferPointer(rebasing: input[shxEnd...]), name: "layer.dbf")
    FuzzInput.expectAtlasError { _ = try Shapefile.read(path: FuzzInput.folder + "/layer.shp", crs: .sweref99TM) }
    return 0
}
