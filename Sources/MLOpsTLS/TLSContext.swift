internal import COpenSSL

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// An OpenSSL `SSL_CTX` set up from a `TLSConfiguration`: certificates and
/// key loaded, verification, versions and ALPN fixed. One per server or
/// client, shared by all its connections.
public final class TLSContext: @unchecked Sendable {
    // Configured once in init and only read afterwards, which OpenSSL allows
    // from any thread.
    let context: OpaquePointer
    public let configuration: TLSConfiguration
    /// ALPN protocols in wire format (length-prefixed), kept alive for OpenSSL's callback.
    private let alpnWire: UnsafeMutableBufferPointer<UInt8>

    /// - Throws: `TLSError` of kind `.configuration`, naming the file or setting.
    public init(configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let context = SSL_CTX_new(method) else {
            throw Self.configurationError("create an SSL_CTX")
        }
        self.context = context

        let wire = configuration.applicationProtocols.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        // A zero length byte ends the list for the selection callback.
        alpnWire = .allocate(capacity: wire.count + 1)
        _ = alpnWire.initialize(from: wire + [0])

        try configure()
    }

    deinit {
        SSL_CTX_free(context)
        alpnWire.deallocate()
    }

    static let tls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20"

    private func configure() throws(TLSError) {
        let minimum = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard c_openssl_SSL_CTX_set_min_proto_version(context, minimum) == 1 else {
            throw Self.configurationError("set the minimum TLS version")
        }
        // TLS 1.2 only with forward secrecy and AEAD (no CBC, no RSA key
        // exchange); TLS 1.3's suites are all of that already.
        guard SSL_CTX_set_cipher_list(context, Self.tls12Ciphers) == 1 else {
            throw Self.configurationError("set the TLS 1.2 cipher list")
        }
        _ = c_openssl_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))

        if let chain = configuration.certificateChainPath {
            guard SSL_CTX_use_certificate_chain_file(context, chain) == 1 else {
                throw Self.configurationError("load the certificate chain \(chain)")
            }
            guard let key = configuration.privateKeyPath,
                SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1
            else {
                throw Self.configurationError("load the private key \(configuration.privateKeyPath ?? "(none given)")")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw Self.configurationError("match the private key to the certificate \(chain)")
            }
        } else if configuration.role == .server {
            throw TLSError(kind: .configuration, detail: "a server needs a certificate and key")
        }

        guard SSL_CTX_load_verify_locations(context, configuration.trustRootsPath, nil) == 1 else {
            throw Self.configurationError("load the trusted authorities \(configuration.trustRootsPath)")
        }

        var verifyMode = SSL_VERIFY_PEER
        if configuration.role == .server {
            if configuration.requireClientCertificate {
                verifyMode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT
            } else {
                // Ask, verify what is sent, accept none.
                verifyMode = SSL_VERIFY_PEER
            }
            // The server picks the first protocol of its own list the client offers.
            SSL_CTX_set_alpn_select_cb(
                context,
                selectApplicationProtocol,
                UnsafeMutableRawPointer(alpnWire.baseAddress)
            )
        } else if !configuration.applicationProtocols.isEmpty {
            guard SSL_CTX_set_alpn_protos(context, alpnWire.baseAddress, UInt32(alpnWireCount)) == 0 else {
                throw Self.configurationError("set the ALPN protocols")
            }
        }
        SSL_CTX_set_verify(context, verifyMode, nil)
    }

    private var alpnWireCount: Int {
        configuration.applicationProtocols.reduce(0) { $0 + 1 + $1.utf8.count }
    }

    /// The length-prefixed ALPN list the server accepts, as OpenSSL's callback reads it.
    var serverProtocols: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: alpnWire.baseAddress, count: alpnWireCount)
    }

    private static func configurationError(_ operation: String) -> TLSError {
        TLSError(kind: .configuration, detail: OpenSSLError.drain(operation).description)
    }
}

/// OpenSSL's ALPN selection callback for servers: `argument` points at the
/// server's length-prefixed list, which ends at its first zero length.
private func selectApplicationProtocol(
    ssl: OpaquePointer?,
    out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    outLength: UnsafeMutablePointer<UInt8>?,
    clientList: UnsafePointer<UInt8>?,
    clientLength: UInt32,
    argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let argument, let clientList else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let server = argument.assumingMemoryBound(to: UInt8.self)
    var serverLength = 0
    while server[serverLength] != 0 { serverLength += Int(server[serverLength]) + 1 }
    var selected: UnsafeMutablePointer<UInt8>?
    var selectedLength: UInt8 = 0
    let result = SSL_select_next_proto(
        &selected,
        &selectedLength,
        server,
        UInt32(serverLength),
        clientList,
        clientLength
    )
    guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    out?.pointee = UnsafePointer(selected)
    outLength?.pointee = selectedLength
    return SSL_TLSEXT_ERR_OK
}
