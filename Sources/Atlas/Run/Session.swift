import Foundation

/// What one thread of work shares: a GEOS and a PROJ context, the transformers made with them,
/// the layers already read, the fingerprints of the input files, and where messages go.
///
/// Not `Sendable`: a session belongs to the thread that made it. Work that spreads over cores
/// makes a session (or at least a GEOS context) per task and sends only value types between them.
public final class Session {
    public let diagnostics: Diagnostics
    public let geos: GEOSContext
    public let proj: PROJContext
    /// The time written into provenance; fixed by `SOURCE_DATE_EPOCH` for reproducible outputs.
    public let startedAt: Date
    /// Files that runs of the same build will write before they are read (a project's run
    /// reading an earlier run's output): validation checks their options but cannot open them yet.
    public var plannedOutputs: Set<String> = []

    private var transformers: [CRSPair: Transformer] = [:]
    private var layers: [LayerSource: Layer] = [:]
    /// Wall seconds each layer took to read, for the commands' `--timings`.
    public private(set) var readSeconds: [LayerSource: Double] = [:]
    private var fingerprints: [String: InputFingerprint] = [:]
    private var pendingFingerprints: [String: PendingFingerprint] = [:]

    private struct CRSPair: Hashable {
        var source: CRS
        var target: CRS
    }

    public init(diagnostics: Diagnostics = .collecting(), startedAt: Date? = nil) throws {
        self.diagnostics = diagnostics
        self.geos = try GEOSContext()
        self.proj = try PROJContext()
        if let startedAt {
            self.startedAt = startedAt
        } else if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) {
            self.startedAt = Date(timeIntervalSince1970: epoch)
        } else {
            self.startedAt = Date()
        }
    }

    /// The transformer between two CRSs, made once per session.
    public func transformer(from source: CRS, to target: CRS) throws -> Transformer {
        let key = CRSPair(source: source, target: target)
        if let cached = transformers[key] { return cached }
        let made = try Transformer(from: source, to: target, context: proj)
        transformers[key] = made
        return made
    }

    /// A layer read once per session: validating a request and running it read each input once.
    public func layer(_ source: LayerSource) throws -> Layer {
        if let cached = layers[source] { return cached }
        let started = DispatchTime.now().uptimeNanoseconds
        let layer = try LayerReader.read(path: source.path, options: source.options)
        readSeconds[source] = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        layer.warnings.forEach(diagnostics.warning)
        layers[source] = layer
        return layer
    }

    /// Forgets the layers read so far (their memory), keeping transformers and fingerprints.
    public func releaseLayers() { layers.removeAll() }

    /// Name, size and SHA-256 of an input file (a folder: of its files, in name order).
    public func fingerprint(_ path: String) throws -> InputFingerprint {
        if let cached = fingerprints[path] { return cached }
        let fingerprint = try pendingFingerprints.removeValue(forKey: path)?.wait() ?? InputFingerprint(path: path)
        fingerprints[path] = fingerprint
        return fingerprint
    }

    /// Starts fingerprinting files on another thread, so that hashing large inputs overlaps with
    /// reading them and computing; `fingerprint` then waits for the result.
    public func prefetchFingerprints(_ paths: [String]) {
        for path in paths where fingerprints[path] == nil && pendingFingerprints[path] == nil {
            pendingFingerprints[path] = PendingFingerprint(path: path)
        }
    }
}

/// A fingerprint being computed on a global queue.
private final class PendingFingerprint: @unchecked Sendable {
    private let done = DispatchGroup()
    /// Set once on the queue before `done` is left, read only after waiting for it.
    private var result: Result<InputFingerprint, any Error>?

    init(path: String) {
        done.enter()
        DispatchQueue.global(qos: .userInitiated).async {
            self.result = Result { try InputFingerprint(path: path) }
            self.done.leave()
        }
    }

    func wait() throws -> InputFingerprint {
        done.wait()
        guard let result else { throw AtlasError("the fingerprint of an input was not computed") }
        return try result.get()
    }
}

/// The identity of an input file as recorded in a layer's provenance.
public struct InputFingerprint: Sendable, Hashable {
    public var file: String
    public var bytes: Int
    public var sha256: String

    /// The fingerprint of the file `path` names: for `FILE|layername=NAME` that of FILE, recorded
    /// as `FILE's name|layername=NAME`.
    public init(path: String) throws {
        let manager = FileManager.default
        let named = try LayerPath(parsing: path)
        let path = named.file
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isFolder) else { throw AtlasError(file: path, "no such file") }
        file = LayerPath(file: URL(fileURLWithPath: path).lastPathComponent, layer: named.layer).description
        if isFolder.boolValue {
            // A GTFS folder: the digest of each file's name and digest, in name order.
            var hash = SHA256()
            bytes = 0
            for name in try manager.contentsOfDirectory(atPath: path).sorted() {
                let member = URL(fileURLWithPath: path).appendingPathComponent(name).path
                var memberIsFolder: ObjCBool = false
                guard manager.fileExists(atPath: member, isDirectory: &memberIsFolder), !memberIsFolder.boolValue else { continue }
                let digest = try SHA256.hex(ofFile: member)
                bytes += InputFile.size(member) ?? 0
                hash.update(Array("\(name) \(digest)\n".utf8))
            }
            sha256 = hash.finalizeHex()
        } else {
            bytes = InputFile.size(path) ?? 0
            sha256 = try SHA256.hex(ofFile: path)
        }
    }
}
