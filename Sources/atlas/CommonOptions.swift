import ArgumentParser
import Atlas
import Foundation

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func session() throws -> Session {
        try Session(diagnostics: .standardError(quiet: quiet))
    }
}

/// Options that say how to read a layer whose file does not carry everything itself.
struct LayerReadingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("CRS of input without one (shapefile without .prj, CSV), e.g. EPSG:3006.", valueName: "crs"))
    var crs: String?

    @Option(help: "X (easting/longitude) column of a CSV point table.")
    var x: String?

    @Option(help: "Y (northing/latitude) column of a CSV point table.")
    var y: String?

    @Option(help: "SCB grid id column (rutid) of a CSV grid table.")
    var rutid: String?

    @Option(help: ArgumentHelp("Cell size in metres of an SCB grid table (detected when omitted).", valueName: "metres"))
    var cellSize: Double?

    func validate() throws {
        if let crs { _ = try cliValue("--crs") { try CRS(parsing: crs) } }
    }

    /// A layer input read with these options.
    func source(_ path: String) throws -> LayerSource {
        LayerSource(
            path,
            options: LayerOptions(
                crs: try crs.map { try CRS(parsing: $0) }, xField: x, yField: y, rutidField: rutid, cellSize: cellSize))
    }

    func source(_ path: String?) throws -> LayerSource? { try path.map(source) }
}

/// Options that make an indicator's layers portal-sized.
struct PortalFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Simplify polygon outputs to this many metres, keeping shared boundaries shared.", valueName: "metres"))
    var simplify: Double?

    @Option(help: "Write property values with this many significant digits (default: full precision).")
    var digits: Int?

    @Flag(help: "Leave out areas and cells without a figure (the layer's main property null or 0).")
    var dropEmpty = false

    func apply<Request: PortalSizable>(to request: inout Request) {
        request.simplify = simplify
        request.digits = digits
        request.dropEmpty = dropEmpty
    }
}

/// Requests whose layers can be made portal-sized.
protocol PortalSizable {
    var simplify: Double? { get set }
    var digits: Int? { get set }
    var dropEmpty: Bool { get set }
}

extension LowIncomeRequest: PortalSizable {}
extension TransitRequest: PortalSizable {}
extension AccessRequest: PortalSizable {}
extension JoinRequest: PortalSizable {}

/// Runs a request as a command: validate, compute, print the summary, write every output.
/// Errors about the request's options are reported with the command's flag names.
func execute<Request: IndicatorRequest>(
    _ request: Request, _ common: CommonOptions, report: (Request.Result, Session, _ computeSeconds: Double, _ writeSeconds: Double) -> Void = { _, _, _, _ in }
) throws {
    let session = try common.session()
    // The inputs are hashed for the provenance on another core while they are read.
    session.prefetchFingerprints(request.inputPaths.map(\.path))
    do {
        let started = Date()
        try request.validate(in: session)
        let result = try request.run(in: session)
        result.summary.forEach(session.diagnostics.info)
        let computed = Date()
        try request.write(result, in: session)
        report(result, session, computed.timeIntervalSince(started), Date().timeIntervalSince(computed))
        leaveToExit(session, result)
    } catch let error as OptionError {
        throw ValidationError("--\(error.option): \(error.message)")
    }
}

/// Keeps what a command has finished with until the process exits, which returns its memory
/// at once: the millions of features of a national layer take a tenth of a second or more to
/// free one by one.
func leaveToExit(_ values: Any...) {
    leftToExit.append(values)
}

nonisolated(unsafe) private var leftToExit: [Any] = []

/// Seconds as `--timings` lines give them: "1.234 s".
func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }

/// Steps with their seconds, as `--timings` lines list them: "reading 1.234 s, writing 0.567 s".
func timingList(_ steps: [(stage: String, seconds: Double)]) -> String {
    steps.map { "\($0.stage) \(seconds($0.seconds))" }.joined(separator: ", ")
}

/// `--modes`: comma-separated mode names or route types.
func cliModes(_ text: String?) throws -> [TransitMode]? {
    try text.map { text in try cliValue("--modes") { try TransitRequest.modes(text.split(separator: ",").map(String.init)) } }
}

/// A value parsed by the library, its errors reported against `flag`.
func cliValue<T>(_ flag: String, _ parse: () throws -> T) throws -> T {
    do { return try parse() } catch let error as AtlasError {
        throw ValidationError("\(flag): \(error.message)")
    } catch let error as OptionError {
        throw ValidationError("\(flag): \(error.message)")
    }
}

extension ClassificationScheme: ExpressibleByArgument {}
extension ShareUnit: ExpressibleByArgument {}
extension StopGrouping: ExpressibleByArgument {}
extension DepartureRule: ExpressibleByArgument {}
extension PopulationModel: ExpressibleByArgument {}
extension AreaAssignment: ExpressibleByArgument {}
extension TravelMode: ExpressibleByArgument {}
extension AccessMode: ExpressibleByArgument {}
extension RoadNetworkFormat: ExpressibleByArgument {}
extension MissingRule: ExpressibleByArgument {}
extension ReportLanguage: ExpressibleByArgument {}
extension LineJunctions: ExpressibleByArgument {}
extension TimeBasis: ExpressibleByArgument {}

extension TimeWindow: ExpressibleByArgument {}

extension ServiceDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

/// The schema of a layer as a help paragraph, so the help says what the writer writes.
func propertiesHelp(_ schema: [PropertySpec]) -> String {
    schema.map { "\($0.name): \($0.meaning)." }.joined(separator: " ")
}
