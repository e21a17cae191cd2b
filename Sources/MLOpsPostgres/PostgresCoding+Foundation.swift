public import Foundation

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { uuidString.lowercased() }
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}

/// `timestamp` and `timestamptz`. Connections run with `TimeZone=UTC`, so the
/// server writes UTC; a `timestamp` without zone is read as UTC too.
extension Date: PostgresEncodable, PostgresDecodable {
    /// Written by arithmetic (days to civil date, Hinnant's algorithm), not
    /// through Calendar: bulk writes format one per row.
    public var postgresText: String {
        let seconds = timeIntervalSince1970.rounded(.down)
        var micros = Int(((timeIntervalSince1970 - seconds) * 1_000_000).rounded())
        var whole = Int(seconds)
        if micros >= 1_000_000 {
            micros -= 1_000_000
            whole += 1
        }
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2)) \(padded(secondOfDay / 3600, 2)):"
            + "\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2)).\(padded(micros, 6))+00"
    }

    /// Reads `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM]]`.
    public init?(postgresText text: String) {
        let characters = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count else { return nil }
            var value = 0
            for byte in characters[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < characters.count, characters[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            while index < characters.count, characters[index] >= 48, characters[index] <= 57 {
                fraction += Double(characters[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < characters.count, characters[index] == UInt8(ascii: "+") || characters[index] == UInt8(ascii: "-") {
            let sign = characters[index] == UInt8(ascii: "-") ? -1 : 1
            guard let hours = number(index + 1..<index + 3) else { return nil }
            let minutes = number(index + 4..<index + 6) ?? 0
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let base = calendar.date(from: components) else { return nil }
        self = base.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}

/// `bytea`, in PostgreSQL's hex format.
public struct PostgresBytes: PostgresEncodable, PostgresDecodable, Hashable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var postgresText: String {
        "\\x" + bytes.map { String($0, radix: 16).leftPadded }.joined()
    }

    public init?(postgresText text: String) {
        guard text.hasPrefix("\\x") else { return nil }
        let hex = Array(text.utf8.dropFirst(2))
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(decoding: hex[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        self.bytes = bytes
    }
}

/// A `json`/`jsonb` value: any `Codable` Swift value, as JSON text.
public struct PostgresJSON<Value: Codable & Sendable>: PostgresEncodable, PostgresDecodable {
    public var value: Value

    public init(_ value: Value) { self.value = value }

    public var postgresText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    public init?(postgresText: String) {
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(postgresText.utf8)) else { return nil }
        self.value = value
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
