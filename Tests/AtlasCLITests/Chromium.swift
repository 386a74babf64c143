import Atlas
import Foundation

/// Headless Chromium with the network blocked (every host unresolvable, a proxy that does not
/// exist), to open pages the way a reader's browser does.
enum Chromium {
    static let executable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var available: Bool { executable != nil }

    static func arguments(profile: String) -> [String] {
        [
            "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--user-data-dir=\(profile)", "--no-first-run", "--disable-extensions", "--disable-background-networking",
            "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000",
        ]
    }

    /// The DOM after the page's scripts ran.
    static func dumpDOM(_ page: String) throws -> String {
        let profile = try CLI.temporaryFolder()
        return try run(arguments(profile: profile) + ["--dump-dom", "file://" + page]).stdout
    }

    /// A PNG of the page's first screen.
    static func screenshot(_ page: String, to png: String, width: Int = 1000, height: Int = 800) throws {
        let profile = try CLI.temporaryFolder()
        _ = try run(arguments(profile: profile) + ["--window-size=\(width),\(height)", "--screenshot=\(png)", "file://" + page])
    }

    private static func run(_ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable!)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.data = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), String(decoding: box.data, as: UTF8.self))
    }

    private final class Box: @unchecked Sendable {
        var data = Data()
    }
}

/// The pixels of an 8-bit RGB or RGBA PNG (what Chromium writes), decoded with zlib.
struct PNGImage {
    var width: Int
    var height: Int
    /// Red, green, blue per pixel, row by row.
    var rgb: [UInt8]

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw AtlasError(file: path, "not a PNG")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8
        var idat: [UInt8] = []
        var w = 0, h = 0, colorType = 0
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = (offset + 8)..<(offset + 8 + length)
            if type == "IHDR" {
                w = u32(body.lowerBound)
                h = u32(body.lowerBound + 4)
                guard bytes[body.lowerBound + 8] == 8, bytes[body.lowerBound + 12] == 0 else {
                    throw AtlasError(file: path, "only 8-bit, non-interlaced PNGs are decoded here")
                }
                colorType = Int(bytes[body.lowerBound + 9])
            } else if type == "IDAT" {
                idat += bytes[body]
            }
            offset = body.upperBound + 4
        }
        let channels = colorType == 6 ? 4 : colorType == 2 ? 3 : 0
        guard channels > 0 else { throw AtlasError(file: path, "colour type \(colorType) is not RGB or RGBA") }
        let stride = w * channels
        let raw = try idat.withUnsafeBytes { try Zlib.inflate($0, expectedSize: h * (stride + 1)) }
        var pixels = [UInt8](repeating: 0, count: h * stride)
        for y in 0..<h {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let value = Int(raw[y * (stride + 1) + 1 + x])
                let a = x >= channels ? Int(pixels[y * stride + x - channels]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + x]) : 0
                let c = x >= channels && y > 0 ? Int(pixels[(y - 1) * stride + x - channels]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: predictor = 0
                }
                pixels[y * stride + x] = UInt8((value + predictor) & 0xff)
            }
        }
        width = w
        height = h
        rgb = []
        rgb.reserveCapacity(w * h * 3)
        for i in 0..<(w * h) { rgb += pixels[(i * channels)..<(i * channels + 3)] }
    }

    /// How many pixels have exactly this colour ("#rrggbb").
    func count(of hex: String) -> Int {
        let value = Int(hex.dropFirst(), radix: 16)!
        let r = UInt8(value >> 16 & 0xff), g = UInt8(value >> 8 & 0xff), b = UInt8(value & 0xff)
        var n = 0
        for i in 0..<(width * height) where rgb[3 * i] == r && rgb[3 * i + 1] == g && rgb[3 * i + 2] == b { n += 1 }
        return n
    }

    var distinctColors: Int {
        var seen = Set<Int>()
        for i in 0..<(width * height) { seen.insert(Int(rgb[3 * i]) << 16 | Int(rgb[3 * i + 1]) << 8 | Int(rgb[3 * i + 2])) }
        return seen.count
    }
}
