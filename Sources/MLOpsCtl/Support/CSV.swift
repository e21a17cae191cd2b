import ArgumentParser
import Foundation

/// A CSV file (RFC 4180: quoted fields may hold commas, quotes and newlines)
/// as a header and rows of fields.
struct CSV {
    var header: [String]
    var rows: [[String]]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        var records = Self.parse(String(decoding: data, as: UTF8.self))
        guard !records.isEmpty else { throw ValidationError("\(path) is empty: it needs a header row") }
        header = records.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        for (index, record) in records.enumerated() where record.count != header.count {
            throw ValidationError(
                "\(path) line \(index + 2): \(record.count) fields where the header has \(header.count)"
            )
        }
        rows = records
    }

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = following
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r": continue
            case "\n":
                record.append(field)
                field = ""
                if record != [""] { records.append(record) }
                record = []
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

/// Milliseconds since the epoch from a number of milliseconds or an ISO 8601 time.
func parseTime(_ text: String, _ what: String) throws -> Int64 {
    if let milliseconds = Int64(text) { return milliseconds }
    if let date = try? Date(text, strategy: .iso8601) { return Int64(date.timeIntervalSince1970 * 1000) }
    throw ValidationError("\(what) '\(text)' is neither milliseconds since the epoch nor an ISO 8601 time")
}

/// Work that takes a while, shown on standard error as it goes.
struct Progress {
    var label: String
    var total: Int

    func update(_ done: Int) {
        FileHandle.standardError.write(Data("\r\(label): \(done)/\(total)".utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
