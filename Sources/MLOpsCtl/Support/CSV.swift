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
