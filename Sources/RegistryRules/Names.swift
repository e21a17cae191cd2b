/// The registry's rules for the names users choose. Lengths count Unicode
/// scalars, as Python's `len` (and so MLflow) does.
package enum Names {
    /// 1–256 characters, not blank, no `/` or `:`, not `.`, not starting with `..`.
    package static func validateModelName(_ name: String) throws(InvalidRegistryInput) {
        let length = name.unicodeScalars.count
        guard length > 0, !name.allSatisfy(\.isWhitespace) else {
            throw InvalidRegistryInput("Registered model name cannot be empty or blank.")
        }
        guard length <= 256 else {
            throw InvalidRegistryInput(
                "Registered model name '\(name.prefix(40))…' is \(length) characters long; the limit is 256."
            )
        }
        guard !name.contains("/"), !name.contains(":") else {
            throw InvalidRegistryInput("Invalid model name: '\(name.echoed)'. Names cannot contain '/' or ':'.")
        }
        guard name != ".", !name.hasPrefix("..") else {
            throw InvalidRegistryInput("Invalid model name: '\(name.echoed)'. Names cannot be '.' or start with '..'.")
        }
    }

    /// 1–255 of letters, digits, `_` and `-`; not `latest` in any case, not `v`/`V` and digits only.
    package static func validateAlias(_ alias: String) throws(InvalidRegistryInput) {
        let length = alias.unicodeScalars.count
        guard length > 0, length <= 255, alias.unicodeScalars.allSatisfy(isAliasScalar) else {
            throw InvalidRegistryInput(
                "Invalid alias name: '\(alias.echoed)'. Aliases must be 1-255 characters of letters, digits, '_' and '-'."
            )
        }
        guard !isReservedAlias(alias) else {
            throw InvalidRegistryInput(
                "Invalid alias name: '\(alias)'. 'latest' and 'v' followed by digits are reserved."
            )
        }
    }

    /// `latest` in any case, or `v`/`V` followed only by (at least one) digits.
    package static func isReservedAlias(_ alias: String) -> Bool {
        if alias.lowercased() == latestAlias { return true }
        guard let first = alias.first, first == "v" || first == "V" else { return false }
        let rest = alias.dropFirst()
        return !rest.isEmpty && rest.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Resolves to the highest live version.
    package static let latestAlias = "latest"

    /// Keys: 1–250 of letters, digits, `_ - . space : /`, not starting with
    /// `/`, no empty, `.` or `..` path segments. Values: up to 100,000 characters.
    package static func validateTag(key: String, value: String) throws(InvalidRegistryInput) {
        let length = key.unicodeScalars.count
        guard length > 0, length <= 250 else {
            throw InvalidRegistryInput("Tag key '\(key.prefix(40))' must be 1-250 characters long, not \(length).")
        }
        guard key.unicodeScalars.allSatisfy(isTagKeyScalar) else {
            throw InvalidRegistryInput(
                "Invalid tag key: '\(key)'. Keys may only contain letters, digits, '_', '-', '.', ' ', ':' and '/'."
            )
        }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.hasPrefix("/"), !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw InvalidRegistryInput(
                "Invalid tag key: '\(key)'. Keys cannot start with '/' or have empty, '.' or '..' path segments."
            )
        }
        let valueLength = value.unicodeScalars.count
        guard valueLength <= 100_000 else {
            throw InvalidRegistryInput(
                "Tag '\(key.echoed)' has a value of \(valueLength) characters; the limit is 100000."
            )
        }
    }

    /// Python's `\w`: letters, digits (of any script) and `_`.
    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private static func isAliasScalar(_ scalar: Unicode.Scalar) -> Bool {
        isWordScalar(scalar) || scalar == "-"
    }

    private static func isTagKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        isWordScalar(scalar) || "-. :/".unicodeScalars.contains(scalar)
    }
}
