/// A hand-written recursive-descent parser for `SearchFilter`: the grammar is
/// small, and hand-written code can name the exact clause that is wrong.
struct SearchFilterParser {
    private typealias Field = SearchFilter.Field
    private typealias Operator = SearchFilter.Operator

    private let text: String
    private let subject: SearchFilter.Subject
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(text: String, subject: SearchFilter.Subject) {
        self.text = text
        self.subject = subject
        self.scalars = Array(text.unicodeScalars)
    }

    mutating func parse() throws(InvalidRegistryInput) -> [SearchFilter.Condition] {
        var conditions: [SearchFilter.Condition] = []
        skipSpaces()
        guard !atEnd else { return [] }
        while true {
            let clauseStart = position
            conditions.append(try condition(startingAt: clauseStart))
            skipSpaces()
            if atEnd { return conditions }
            guard let word = peekWord(), word.uppercased() == "AND" else {
                throw invalid("expected AND between conditions, found '\(rest)'")
            }
            position += word.unicodeScalars.count
            skipSpaces()
            guard !atEnd else { throw invalid("a condition must follow AND") }
        }
    }

    // MARK: Clauses

    private mutating func condition(startingAt start: Int) throws(InvalidRegistryInput) -> SearchFilter.Condition {
        let field = try identifier()
        skipSpaces()
        let op = try comparator(clauseStart: start)
        skipSpaces()
        let value = try self.value(for: op, clauseStart: start)
        let condition = SearchFilter.Condition(field, op, value)
        try check(condition, clause: String(String.UnicodeScalarView(scalars[start..<position])))
        return condition
    }

    private mutating func identifier() throws(InvalidRegistryInput) -> Field {
        let start = position
        let first = try identifierPart()
        if first.lowercased() == "tags" || first.lowercased() == "tag" {
            guard consume(".") else { throw invalid("expected 'tags.<key>' at '\(rest(from: start))'") }
            return .tag(try identifierPart())
        }
        switch (first, subject) {
        case ("name", _): return .name
        case ("run_id", .versions): return .runID
        case ("source_path", .versions): return .sourcePath
        case ("version_number", .versions): return .versionNumber
        default:
            let valid =
                subject == .models ? "name, tags.<key>" : "name, run_id, source_path, version_number, tags.<key>"
            throw invalid("unknown attribute '\(first)'; valid attributes are \(valid)")
        }
    }

    /// A bare word, or a backtick- or double-quoted one (`tags.\`a key\``).
    private mutating func identifierPart() throws(InvalidRegistryInput) -> String {
        if let quote = peek, quote == "`" || quote == "\"" {
            return try quoted(by: quote)
        }
        let start = position
        while let scalar = peek, scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
        {
            position += 1
        }
        guard position > start else { throw invalid("expected an attribute at '\(rest)'") }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    private mutating func comparator(clauseStart: Int) throws(InvalidRegistryInput) -> Operator {
        for symbol in ["!=", "<=", ">=", "=", "<", ">"] where consume(symbol) {
            return Operator(rawValue: symbol)!
        }
        guard let word = peekWord()?.uppercased() else {
            throw invalid("expected a comparison in '\(rest(from: clauseStart))'")
        }
        position += word.unicodeScalars.count
        switch word {
        case "LIKE": return .like
        case "ILIKE": return .ilike
        case "IN": return .in
        case "NOT":
            skipSpaces()
            if let next = peekWord(), next.uppercased() == "IN" {
                position += 2
                return .notIn
            }
            fallthrough
        default:
            throw invalid("unknown comparison '\(word)' in '\(rest(from: clauseStart))'")
        }
    }

    private mutating func value(
        for op: Operator,
        clauseStart: Int
    ) throws(InvalidRegistryInput) -> SearchFilter.Value {
        if op == .in || op == .notIn {
            guard consume("(") else { throw invalid("expected a list like ('a', 'b') after \(op.rawValue)") }
            var items: [String] = []
            repeat {
                skipSpaces()
                items.append(try string())
                skipSpaces()
            } while consume(",")
            guard consume(")") else { throw invalid("unterminated list in '\(rest(from: clauseStart))'") }
            return .list(items)
        }
        if let quote = peek, quote == "'" || quote == "\"" {
            return .string(try quoted(by: quote))
        }
        let start = position
        if peek == "-" { position += 1 }
        while let scalar = peek, scalar.isASCII, scalar.properties.numericType != nil { position += 1 }
        let digits = String(String.UnicodeScalarView(scalars[start..<position]))
        guard let integer = Int64(digits) else {
            throw invalid("expected a quoted string or an integer in '\(rest(from: clauseStart))'")
        }
        return .integer(integer)
    }

    private mutating func string() throws(InvalidRegistryInput) -> String {
        guard let quote = peek, quote == "'" || quote == "\"" else {
            throw invalid("expected a quoted string at '\(rest)'")
        }
        return try quoted(by: quote)
    }

    /// Text between two `quote`s; a doubled quote stands for one, as in SQL.
    private mutating func quoted(by quote: Unicode.Scalar) throws(InvalidRegistryInput) -> String {
        let start = position
        position += 1
        var result = String.UnicodeScalarView()
        while let scalar = peek {
            position += 1
            if scalar == quote {
                guard peek == quote else { return String(result) }
                position += 1
            }
            result.append(scalar)
        }
        throw invalid("unterminated quoted text at '\(rest(from: start))'")
    }

    // MARK: Meaning

    /// Which comparisons and values each attribute accepts.
    private func check(_ condition: SearchFilter.Condition, clause: String) throws(InvalidRegistryInput) {
        let allowed: Set<Operator>
        switch (condition.field, condition.value) {
        case (.versionNumber, .integer):
            allowed = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]
        case (.versionNumber, _):
            throw invalid("version_number must be compared with an integer in '\(clause)'")
        case (_, .integer):
            throw invalid("string values must be quoted in '\(clause)'")
        case (.tag, _):
            allowed = [.equal, .notEqual, .like, .ilike]
        case (.name, _), (.runID, _), (.sourcePath, _):
            allowed = [.equal, .notEqual, .like, .ilike, .in, .notIn]
        }
        guard allowed.contains(condition.op) else {
            throw invalid("comparison \(condition.op.rawValue) is not supported in '\(clause)'")
        }
        // PostgreSQL refuses a pattern whose last backslash escapes nothing.
        if condition.op == .like || condition.op == .ilike, case .string(let pattern) = condition.value,
            pattern.reversed().prefix(while: { $0 == "\\" }).count % 2 == 1
        {
            throw invalid("a \(condition.op.rawValue) pattern cannot end in an escaping backslash in '\(clause)'")
        }
    }

    // MARK: Scanning

    private var atEnd: Bool { position >= scalars.count }
    private var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
    private var rest: String { rest(from: position) }

    private func rest(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[min(start, scalars.count)...]))
    }

    private mutating func skipSpaces() {
        while let scalar = peek, scalar.properties.isWhitespace { position += 1 }
    }

    private mutating func consume(_ symbol: String) -> Bool {
        let symbolScalars = Array(symbol.unicodeScalars)
        guard position + symbolScalars.count <= scalars.count,
            Array(scalars[position..<position + symbolScalars.count]) == symbolScalars
        else { return false }
        position += symbolScalars.count
        return true
    }

    private func peekWord() -> String? {
        var end = position
        while end < scalars.count, scalars[end].properties.isAlphabetic { end += 1 }
        return end > position ? String(String.UnicodeScalarView(scalars[position..<end])) : nil
    }

    private func invalid(_ reason: String) -> InvalidRegistryInput {
        InvalidRegistryInput("Invalid filter '\(text.echoed)': \(reason.echoed).")
    }
}
