import CShapelib
import Foundation

/// Reads ESRI shapefiles (`.shp` + `.shx` + `.dbf`, with `.prj` and optionally `.cpg`)
/// through shapelib. The headers are checked first, because shapelib trusts them: a
/// truncated or inconsistent file gets an error that names it instead of a crash.
public enum Shapefile {
    public static let formatName = "ESRI Shapefile"

    /// Reads the whole layer. `path` names the `.shp` or the basename without extension.
    /// `crs` overrides the `.prj` and is required when there is none.
    public static func read(path: String, crs: CRS? = nil) throws -> Layer {
        let files = try ShapefileFiles(path: path)
        let layerCRS = try crs ?? files.projection()
        let shapeCount = try files.validateGeometryFiles()
        let dbfHeader = try files.validateTable(shapeCount: shapeCount)
        var warnings: [String] = []
        let encoding = try files.encoding(languageDriver: dbfHeader.languageDriver, warnings: &warnings)

        guard let shp = SHPOpen(files.shp, "rb") else {
            throw AtlasError(file: files.shp, "shapelib could not open the shapefile")
        }
        defer { SHPClose(shp) }
        guard let dbf = DBFOpen(files.dbf, "rb") else {
            throw AtlasError(file: files.dbf, "shapelib could not open the attribute table")
        }
        defer { DBFClose(dbf) }

        var entityCount: Int32 = 0
        var shapeType: Int32 = 0
        SHPGetInfo(shp, &entityCount, &shapeType, nil, nil)
        guard Int(entityCount) == shapeCount else {
            throw AtlasError(
                file: files.shx, "shapelib reads \(entityCount) records, the index holds \(shapeCount)")
        }
        guard Int(DBFGetRecordCount(dbf)) == dbfHeader.recordCount else {
            throw AtlasError(file: files.dbf, "shapelib disagrees with the header's record count")
        }

        var table = try AttributeTable(dbf: dbf, encoding: encoding, path: files.dbf)
        guard Int(dbf.pointee.nHeaderLength) == dbfHeader.headerLength, table.recordLength == dbfHeader.recordLength
        else {
            throw AtlasError(file: files.dbf, "the field descriptors disagree with the header's record layout")
        }
        // Records are read from the mapped file rather than with DBFReadTuple, which costs a
        // seek and a read per record; the layout is shapelib's, checked above.
        let records: Data
        do {
            records = try Data(contentsOf: URL(fileURLWithPath: files.dbf), options: .alwaysMapped)
        } catch {
            throw AtlasError(file: files.dbf, "cannot read: \(error.localizedDescription)")
        }
        // Each object read reuses one buffer owned by the handle instead of allocating.
        SHPSetFastModeReadObject(shp, 1)

        var features: [Feature] = []
        features.reserveCapacity(shapeCount)
        try records.withUnsafeBytes { raw in
            let dbfBytes = raw.bindMemory(to: UInt8.self)
            for index in 0..<shapeCount {
                let record = index + 1
                let start = dbfHeader.headerLength + index * dbfHeader.recordLength
                let bytes = UnsafeBufferPointer(rebasing: dbfBytes[start..<start + dbfHeader.recordLength])
                // Deleted records are skipped, as GDAL does.
                if bytes[0] == UInt8(ascii: "*") { continue }
                let values = try table.values(record: bytes, number: record)
                guard let object = SHPReadObject(shp, Int32(index)) else {
                    throw AtlasError(file: files.shp, record: record, "the shape record is corrupt")
                }
                defer { SHPDestroyObject(object) }
                // Every shape of a file has the header's type (or none); shapelib reads a record
                // by its own type, so a stray one would slip into the layer unnoticed.
                let recordType = object.pointee.nSHPType
                guard recordType == shapeType || recordType == SHPT_NULL else {
                    throw AtlasError(
                        file: files.shp, record: record,
                        "the shape is a \(ShapeConversion.typeName(recordType)), the file's header says"
                            + " \(ShapeConversion.typeName(shapeType))")
                }
                let geometry: Geometry?
                do {
                    geometry = try ShapeConversion.geometry(of: object.pointee)
                } catch let error as AtlasError {
                    throw AtlasError(file: files.shp, record: record, error.message)
                }
                features.append(Feature(geometry: geometry, values: values))
            }
        }
        let fields = table.keepingWideIntegersAsText(&features)
        for k in table.wideIntegers.sorted() {
            warnings.append("\(files.dbf): field '\(fields[k].name)' holds whole numbers beyond 64 bits; it is read as text")
        }
        for (written, name) in table.renamed {
            warnings.append("\(files.dbf): a second field named '\(written)' is read as '\(name)'")
        }
        for (field, seen) in table.nonFinite.sorted(by: { $0.value.record < $1.value.record }) {
            let more = seen.count > 1 ? " and \(seen.count - 1) more" : ""
            warnings.append(
                "\(files.dbf): record \(seen.record), field '\(field)': '\(seen.text)' is not a finite number\(more); read as null")
        }
        if table.repairs > 0 {
            warnings.append(
                "\(files.dbf): \(table.repairs) text values were not valid \(encoding.name)"
                    + " (first in record \(table.firstRepairedRecord ?? 0)); they were repaired,"
                    + " check the .cpg")
        }
        var layer = Layer(
            source: files.shp, format: formatName, crs: layerCRS, fields: fields, features: features,
            encoding: encoding.name)
        layer.warnings = warnings
        return layer
    }
}

/// The companion files of one shapefile and the checks that run before shapelib reads them.
struct ShapefileFiles {
    let shp: String
    let shx: String
    let dbf: String
    let prj: String?
    let cpg: String?

    init(path: String) throws {
        let lowered = path.lowercased()
        let base = [".shp", ".shx", ".dbf"].contains { lowered.hasSuffix($0) } ? String(path.dropLast(4)) : path
        func companion(_ ext: String) -> String? {
            for candidate in [base + "." + ext, base + "." + ext.uppercased()]
            where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            return nil
        }
        guard let shp = companion("shp") else {
            throw AtlasError(file: base + ".shp", "no such shapefile")
        }
        self.shp = shp
        guard let shx = companion("shx") else {
            throw AtlasError(file: shp, "missing \(base).shx: a shapefile needs its .shx index")
        }
        guard let dbf = companion("dbf") else {
            throw AtlasError(file: shp, "missing \(base).dbf: a shapefile needs its .dbf attribute table")
        }
        self.shx = shx
        self.dbf = dbf
        self.prj = companion("prj")
        self.cpg = companion("cpg")
        for file in [shp, shx, dbf, prj, cpg].compactMap({ $0 }) { try InputFile.requireRegularFile(file) }
    }

    func projection() throws -> CRS {
        guard let prj else { throw AtlasError(file: shp, "no .prj: pass --crs EPSG:N") }
        let text = try Self.contents(prj)
        guard let wkt = String(data: text, encoding: .utf8) ?? String(data: text, encoding: .isoLatin1),
            !wkt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            throw AtlasError(file: prj, "the .prj is empty: pass --crs EPSG:N")
        }
        return CRS(definition: wkt)
    }

    /// The `.cpg` names the encoding; without one (or with an empty one) the DBF language
    /// driver does; else UTF-8.
    func encoding(languageDriver: UInt8, warnings: inout [String]) throws -> TextEncoding {
        var repairs = 0
        let label = try cpg.map {
            TextEncoding.utf8.decode(try Self.contents($0), repairs: &repairs)
                .trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\0")))
        }
        if let cpg, let label, !label.isEmpty {
            guard let encoding = TextEncoding.named(label) else {
                let known = TextEncoding.supported.map(\.name).joined(separator: ", ")
                throw AtlasError(file: cpg, "unknown encoding '\(label)' (atlas reads \(known))")
            }
            return encoding
        }
        if let encoding = TextEncoding.languageDriver(languageDriver) { return encoding }
        if languageDriver != 0 {
            warnings.append(
                "\(dbf): language driver 0x\(String(languageDriver, radix: 16)) is not supported,"
                    + " reading text as UTF-8; add a .cpg naming the encoding")
        }
        return .utf8
    }

    /// Checks the `.shp` header against the file and every `.shx` entry against the `.shp`;
    /// returns the number of shape records.
    func validateGeometryFiles() throws -> Int {
        let shpSize = try Self.size(shp)
        let header = try Self.prefix(shp, count: 100)
        guard header.count == 100 else {
            throw AtlasError(file: shp, "truncated: \(shpSize) bytes, shorter than the 100-byte header")
        }
        let magic = Self.bigEndian(header, at: 0)
        guard magic == 9994 else {
            throw AtlasError(file: shp, "not a shapefile: file code is \(magic), expected 9994")
        }
        let version = Self.littleEndian(header, at: 28)
        guard version == 1000 else {
            throw AtlasError(file: shp, "unsupported shapefile version \(version), expected 1000")
        }
        let declaredSize = Int(Self.bigEndian(header, at: 24)) * 2
        guard declaredSize <= shpSize else {
            throw AtlasError(file: shp, "truncated: header says \(declaredSize) bytes, file has \(shpSize)")
        }

        let index = [UInt8](try Self.contents(shx))
        guard index.count >= 100, Self.bigEndian(index, at: 0) == 9994 else {
            throw AtlasError(file: shx, "not a shapefile index (no 9994 file code in a 100-byte header)")
        }
        guard (index.count - 100) % 8 == 0 else {
            throw AtlasError(file: shx, "truncated: \(index.count - 100) bytes of entries is not a multiple of 8")
        }
        let count = (index.count - 100) / 8
        // shapelib takes the shape type from the index; the two headers must agree on it.
        let shapeType = Self.littleEndian(header, at: 32), indexShapeType = Self.littleEndian(index, at: 32)
        guard shapeType == indexShapeType else {
            throw AtlasError(
                file: shx,
                "the header says \(ShapeConversion.typeName(indexShapeType)), the .shp header \(ShapeConversion.typeName(shapeType))")
        }
        // shapelib reads each record by the index and rejects one whose own header disagrees;
        // checking here names the record and both lengths.
        let shapes = try Self.contents(shp, mapped: true)
        try shapes.withUnsafeBytes { (shapes: UnsafeRawBufferPointer) in
            let shapeBytes = shapes.bindMemory(to: UInt8.self)
            for i in 0..<count {
                let record = i + 1
                let offset = Int(Self.bigEndian(index, at: 100 + 8 * i)) * 2
                let length = Int(Self.bigEndian(index, at: 104 + 8 * i)) * 2
                guard offset >= 100 else {
                    throw AtlasError(file: shx, record: record, "the index points at byte \(offset), inside the 100-byte header")
                }
                guard length >= 0 else {
                    throw AtlasError(
                        file: shx, record: record, "the index gives record \(record) a negative length (\(length) bytes)")
                }
                guard offset + 8 + length <= shpSize, offset + 8 <= shapeBytes.count else {
                    throw AtlasError(
                        file: shx, record: record,
                        "the index points at bytes \(offset)–\(offset + 8 + length), past the end of the"
                            + " .shp (\(shpSize) bytes)")
                }
                let declared = Int(Self.bigEndian(shapeBytes, at: offset + 4)) * 2
                guard declared == length else {
                    throw AtlasError(
                        file: shp, record: record, "the record header says \(declared) bytes, the index \(length)")
                }
            }
        }
        return count
    }

    struct TableHeader {
        var recordCount: Int
        var headerLength: Int
        var recordLength: Int
        var languageDriver: UInt8
    }

    func validateTable(shapeCount: Int) throws -> TableHeader {
        let dbfSize = try Self.size(dbf)
        let header = try Self.prefix(dbf, count: 32)
        guard header.count == 32 else {
            throw AtlasError(file: dbf, "truncated: \(dbfSize) bytes, shorter than the 32-byte header")
        }
        let recordCount = Int(Self.littleEndian(header, at: 4))
        let headerLength = Int(header[8]) | Int(header[9]) << 8
        let recordLength = Int(header[10]) | Int(header[11]) << 8
        guard recordCount >= 0 else {
            throw AtlasError(file: dbf, "not a dBASE table: the header counts \(recordCount) records")
        }
        guard headerLength > 32, recordLength > 0 else {
            throw AtlasError(file: dbf, "not a dBASE table: header length \(headerLength), record length \(recordLength)")
        }
        let needed = headerLength + recordCount * recordLength
        guard needed <= dbfSize else {
            throw AtlasError(
                file: dbf,
                "truncated: header says \(recordCount) records of \(recordLength) bytes (\(needed) bytes), file has \(dbfSize)")
        }
        guard recordCount >= shapeCount else {
            throw AtlasError(file: dbf, "holds \(recordCount) records for \(shapeCount) shapes")
        }
        return TableHeader(
            recordCount: recordCount, headerLength: headerLength, recordLength: recordLength, languageDriver: header[29])
    }

    static func size(_ path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AtlasError(file: path, "cannot read: \(String(cString: strerror(errno)))")
        }
        return Int(info.st_size)
    }

    static func prefix(_ path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AtlasError(file: path, "cannot open for reading")
        }
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }

    static func contents(_ path: String, mapped: Bool = false) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .alwaysMapped : [])
        } catch {
            throw AtlasError(file: path, "cannot read: \(error.localizedDescription)")
        }
    }

    static func bigEndian<Bytes: RandomAccessCollection>(_ bytes: Bytes, at offset: Int) -> Int32
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let b = bytes.startIndex + offset
        return Int32(bitPattern: UInt32(bytes[b]) << 24 | UInt32(bytes[b + 1]) << 16
            | UInt32(bytes[b + 2]) << 8 | UInt32(bytes[b + 3]))
    }

    static func littleEndian<Bytes: RandomAccessCollection>(_ bytes: Bytes, at offset: Int) -> Int32
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let b = bytes.startIndex + offset
        return Int32(bitPattern: UInt32(bytes[b + 3]) << 24 | UInt32(bytes[b + 2]) << 16
            | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b]))
    }
}
