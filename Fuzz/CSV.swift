import Atlas
import Foundation

/// The layer reader over a CSV: point tables by lon/lat or x/y columns, SCB grid tables by rutid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    FuzzInput.expectAtlasError {
        let table = try CSVTable.read(bytes: bytes, source: "input.csv")
        _ = try LayerReader.layer(csv: table, options: LayerOptions(crs: .sweref99TM))
    }
    return 0
}
