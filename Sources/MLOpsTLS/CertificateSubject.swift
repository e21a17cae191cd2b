/// Whom a verified certificate names: its subject common name (this
/// system's identity, e.g. `retraining-gate`) and its DNS and IP subject
/// alternative names.
public struct CertificateSubject: Sendable, Hashable, CustomStringConvertible {
    public var commonName: String?
    public var alternativeNames: [String]

    public init(commonName: String?, alternativeNames: [String] = []) {
        self.commonName = commonName
        self.alternativeNames = alternativeNames
    }

    init(_ certificate: Certificate) {
        self.init(commonName: certificate.subjectCommonName, alternativeNames: certificate.subjectAlternativeNames)
    }

    public var description: String { commonName ?? "(no common name)" }
}

/// Fired down the pipeline once the handshake has completed and the peer's
/// certificate (if any) has been verified.
public struct TLSEstablished: Sendable {
    /// nil when the peer sent no certificate (a server with client
    /// certificates optional).
    public var peer: CertificateSubject?
    public var applicationProtocol: String?
    /// "TLSv1.3" or "TLSv1.2".
    public var protocolVersion: String
}

/// Fired down the pipeline when the peer closed the TLS session in order
/// (close_notify); our own close_notify is on its way back.
public struct TLSClosedByPeer: Sendable {}
