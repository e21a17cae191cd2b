/// Who is calling, as the transport verified it: for TLS, the client
/// certificate's subject common name (this system's identity, e.g.
/// `retraining-gate`) and its subject alternative names.
public struct PeerIdentity: Sendable, Hashable, CustomStringConvertible {
    public var commonName: String?
    public var alternativeNames: [String]

    public init(commonName: String?, alternativeNames: [String] = []) {
        self.commonName = commonName
        self.alternativeNames = alternativeNames
    }

    public var description: String { commonName ?? "(no common name)" }
}
