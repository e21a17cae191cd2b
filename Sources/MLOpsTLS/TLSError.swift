/// Why a TLS connection failed, classified so that callers can say what went
/// wrong in words a person acts on.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The peer's chain does not end in a trusted authority.
        public static let unknownAuthority = Kind("unknown certificate authority")
        /// The peer's certificate is expired (or not yet valid).
        public static let expiredCertificate = Kind("expired certificate")
        /// The server's certificate does not name the host or IP the client dialled.
        public static let hostnameMismatch = Kind("hostname mismatch")
        /// The server requires a client certificate and none was sent.
        public static let noClientCertificate = Kind("no client certificate")
        /// The peer does not speak TLS (e.g. a plaintext client on the TLS port).
        public static let notTLS = Kind("not TLS")
        /// No ALPN protocol in common.
        public static let noApplicationProtocol = Kind("no common application protocol")
        /// The handshake did not finish in time.
        public static let handshakeTimeout = Kind("handshake timeout")
        /// The configuration could not be loaded (files, keys).
        public static let configuration = Kind("configuration")
        /// Anything else OpenSSL reported.
        public static let handshakeFailed = Kind("handshake failed")
        /// The connection closed without close_notify, or a record was corrupt.
        public static let connectionFailed = Kind("connection failed")

        public var description: String { name }
    }

    public var kind: Kind
    /// OpenSSL's own words: the verification result and the error queue.
    public var detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? "TLS: \(kind)" : "TLS: \(kind) (\(detail))" }
}
