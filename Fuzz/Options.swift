import Atlas
import Foundation

/// The option parsers and the requests' decoding, as a project file's run or the command line
/// reaches them: the first byte picks an indicator, the rest is its options as a JSON object,
/// decoded and validated (inputs that do not exist are errors like any other); every line of the
/// input also goes through the value parsers (windows, dates, CRSs, filters, modes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = Data(bytes: start, count: count)
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    for line in text.split(separator: "\n").prefix(64) {
        let value = String(line)
        _ = TimeWindow(argument: value)
        _ = ServiceDate(iso: value)
        _ = try? CRS(parsing: value)
        _ = try? StatisticsFilter(parsing: value)
        _ = try? TransitRequest.modes(value.split(separator: ",").map(String.init))
    }
    let options = Data(bytes.dropFirst())
    func check<Request: IndicatorRequest>(_ type: Request.Type) {
        do {
            let request = try JSONDecoder().decode(Request.self, from: options)
            try request.validate(in: try Session())
        } catch is AtlasError {
        } catch is OptionError {
        } catch is DecodingError {
        } catch {
            fatalError("a request threw an unexpected error: \(error)")
        }
    }
    switch bytes[bytes.startIndex] % 5 {
    case 0: check(LowIncomeRequest.self)
    case 1: check(TransitRequest.self)
    case 2: check(AccessRequest.self)
    case 3: check(JoinRequest.self)
    default: check(ExportRequest.self)
    }
    return 0
}
