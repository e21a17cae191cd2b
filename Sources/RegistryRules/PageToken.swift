import Foundation

/// Where the next page starts: the sort values of the last row returned
/// (keyset paging, so pages stay contiguous while others write). Opaque to
/// callers: base64url of a small JSON document.
package struct PageToken: Equatable, Sendable {
    package enum SortValue: Codable, Equatable, Sendable {
        case string(String)
        case integer(Int64)

        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int64.self) {
                self = .integer(integer)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .integer(let number): try container.encode(number)
            }
        }
    }

    /// One per term of the order, in its order.
    package var values: [SortValue]

    package init(values: [SortValue]) {
        self.values = values
    }

    private struct Body: Codable {
        var order: String
        var after: [SortValue]
    }

    package func encoded(for order: SearchOrder) -> String {
        let json = try! JSONEncoder().encode(Body(order: order.signature, after: values))
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `nil` for an empty token (the first page); an error for one this
    /// search cannot have made.
    package init?(decoding token: String, for order: SearchOrder) throws(InvalidRegistryInput) {
        guard !token.isEmpty else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let body = try? JSONDecoder().decode(Body.self, from: data),
            body.order == order.signature, body.after.count == order.terms.count,
            zip(order.terms, body.after).allSatisfy({ term, value in
                switch value {
                case .string: term.key == .name
                case .integer: term.key != .name
                }
            })
        else {
            throw InvalidRegistryInput("Invalid page_token '\(token.prefix(64))': it was not made by this search.")
        }
        self.values = body.after
    }
}
