package import RegistryRules

/// The registry's own part of its configuration file.
package struct RegistrySettings: Decodable, Sendable {
    /// Who may write; `RegistryPolicy.default` when absent.
    package var policy: RegistryPolicy?
}
