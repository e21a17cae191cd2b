import RegistryRules
import Testing

@Suite("Names, aliases and tags follow the registry's rules")
struct RegistryNamesTests {
    @Test(arguments: ["credit-risk-model", "Модель 模型 🚀", "a", String(repeating: "m", count: 256), "a.b", "x..y"])
    func validModelNames(name: String) throws {
        try Names.validateModelName(name)
    }

    @Test(
        arguments: [
            ("", "empty or blank"), ("   ", "empty or blank"), ("a/b", "'/' or ':'"), ("a:b", "'/' or ':'"),
            (".", "'.' or start with '..'"), ("..x", "'.' or start with '..'"),
            (String(repeating: "m", count: 257), "257 characters"),
        ]
    )
    func invalidModelNames(name: String, reason: String) {
        let error = #expect(throws: InvalidRegistryInput.self) { try Names.validateModelName(name) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["champion", "Champion", "blue-green_2", "v", "vx1", "v1a", "latest2", "ünïcode"])
    func validAliases(alias: String) throws {
        try Names.validateAlias(alias)
    }

    @Test(arguments: ["latest", "LATEST", "Latest", "v1", "V42", "v007"])
    func reservedAliases(alias: String) {
        let error = #expect(throws: InvalidRegistryInput.self) { try Names.validateAlias(alias) }
        #expect(error?.message == "Invalid alias name: '\(alias)'. 'latest' and 'v' followed by digits are reserved.")
    }

    @Test(arguments: ["", "a b", "a.b", "a/b", String(repeating: "a", count: 256)])
    func malformedAliases(alias: String) {
        #expect(throws: InvalidRegistryInput.self) { try Names.validateAlias(alias) }
    }

    @Test(arguments: ["team", "a.b-c_d", "with space", "ns:key", "path/to/key", String(repeating: "k", count: 250)])
    func validTagKeys(key: String) throws {
        try Names.validateTag(key: key, value: "")
    }

    @Test(
        arguments: [
            "", "/leading", "a//b", "a/./b", "a/../b", "..", ".", "trailing/", "bad!char", "tab\tkey",
            String(repeating: "k", count: 251),
        ]
    )
    func invalidTagKeys(key: String) {
        #expect(throws: InvalidRegistryInput.self) { try Names.validateTag(key: key, value: "v") }
    }

    @Test func tagValuesUpToAHundredThousandCharacters() throws {
        try Names.validateTag(key: "k", value: String(repeating: "x", count: 100_000))
        let error = #expect(throws: InvalidRegistryInput.self) {
            try Names.validateTag(key: "k", value: String(repeating: "x", count: 100_001))
        }
        #expect(error?.message.contains("100001") == true)
    }
}
