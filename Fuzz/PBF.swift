import Atlas

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.write(start, count, name: "input.osm.pbf")
    FuzzInput.expectAtlasError {
        let file = try OSMPBFFile(path: path)
        _ = try file.countElements()
        try file.forEachWay { _ in }
        try file.forEachNode { _, _, _ in }
    }
    return 0
}
