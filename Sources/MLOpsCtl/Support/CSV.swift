import ArgumentParser
import Foundation
import TabularText

/// A CSV file (`CSVRecords`) as a header and rows of fields, each row as
/// long as the header.
struct CSV {
    var header: [String]
    var rows: [[String]]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        var records = CSVRecords.parse(String(decoding: data, as: UTF8.self))
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
}
