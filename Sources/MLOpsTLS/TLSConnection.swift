internal import COpenSSL
import NIOCore

/// One `SSL*` with a pair of memory BIOs: ciphertext from the network goes in
/// through `receive`, ciphertext for the network comes out of `takeOutbound`.
/// OpenSSL never touches a socket, so the connection runs inside a NIO pipeline.
final class TLSConnection {
    enum Outcome {
        case complete
        case wantsMoreInput
        case closedByPeer
        case failed(TLSError)
    }

    private let ssl: OpaquePointer
    /// Network → OpenSSL. Owned by `ssl`.
    private let inbound: OpaquePointer
    /// OpenSSL → network. Owned by `ssl`.
    private let outbound: OpaquePointer
    private let context: TLSContext

    init(context: TLSContext) throws(TLSError) {
        guard let ssl = SSL_new(context.context),
            let inbound = BIO_new(BIO_s_mem()),
            let outbound = BIO_new(BIO_s_mem())
        else {
            throw TLSError(kind: .configuration, detail: OpenSSLError.drain("create an SSL connection").description)
        }
        // An empty inbound BIO means "wait for more", not end of file.
        _ = c_openssl_BIO_set_mem_eof_return(inbound, -1)
        SSL_set_bio(ssl, inbound, outbound)
        self.ssl = ssl
        self.inbound = inbound
        self.outbound = outbound
        self.context = context

        let configuration = context.configuration
        if configuration.role == .server {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let name = configuration.serverName {
                if IPAddressText.isIPAddress(name) {
                    let parameters = SSL_get0_param(ssl)
                    X509_VERIFY_PARAM_set1_ip_asc(parameters, name)
                } else {
                    _ = c_openssl_SSL_set_tlsext_host_name(ssl, name)
                    SSL_set1_host(ssl, name)
                }
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Hands ciphertext read from the network to OpenSSL.
    func receive(_ buffer: inout ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            _ = BIO_write(inbound, bytes.baseAddress, Int32(bytes.count))
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
    }

    /// The ciphertext OpenSSL has produced for the network, if any.
    func takeOutbound(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = c_openssl_BIO_pending(outbound)
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
            Int(max(0, BIO_read(outbound, bytes.baseAddress, Int32(pending))))
        }
        return buffer
    }

    func handshake() -> Outcome {
        let result = SSL_do_handshake(ssl)
        return result == 1 ? .complete : outcome(of: result, during: "handshake")
    }

    /// At most how many plaintext bytes `read` can produce now: a record's
    /// plaintext is shorter than its ciphertext.
    var readableUpperBound: Int {
        Int(SSL_pending(ssl)) + c_openssl_BIO_pending(inbound)
    }

    /// Decrypts whatever whole records have arrived into `buffer`. Stops
    /// once nothing is left to decrypt rather than asking OpenSSL again.
    func read(into buffer: inout ByteBuffer) -> Outcome {
        while true {
            let available = readableUpperBound
            guard available > 0 else { return .wantsMoreInput }
            var result: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: min(available, 16_384)) { bytes in
                result = SSL_read(ssl, bytes.baseAddress, Int32(bytes.count))
                return Int(max(result, 0))
            }
            if result <= 0 { return outcome(of: result, during: "read") }
        }
    }

    /// Encrypts `buffer`; with memory BIOs the whole of it is always taken.
    func write(_ buffer: ByteBuffer) -> Outcome {
        var failure: Outcome?
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count, failure == nil {
                let result = SSL_write(ssl, bytes.baseAddress! + offset, Int32(bytes.count - offset))
                if result > 0 { offset += Int(result) } else { failure = outcome(of: result, during: "write") }
            }
        }
        return failure ?? .complete
    }

    /// Queues close_notify for the network.
    func shutdown() {
        _ = SSL_shutdown(ssl)
    }

    /// The negotiated ALPN protocol.
    var applicationProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The verified certificate the peer presented.
    var peerCertificate: Certificate? {
        SSL_get1_peer_certificate(ssl).map { Certificate(taking: $0) }
    }

    private func outcome(of result: Int32, during operation: String) -> Outcome {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantsMoreInput
        case SSL_ERROR_ZERO_RETURN:
            return .closedByPeer
        default:
            return .failed(classify(operation: operation))
        }
    }

    /// Turns OpenSSL's verification result and error queue into a `TLSError`.
    private func classify(operation: String) -> TLSError {
        let queue = OpenSSLError.drain("TLS \(operation)")
        let verification = SSL_get_verify_result(ssl)
        var details: [String] = []
        if verification != X509_V_OK {
            details.append("certificate verification: \(String(cString: X509_verify_cert_error_string(verification)))")
        }
        details += queue.reasons
        let text = details.joined(separator: "; ")
        let lowered = text.lowercased()

        let kind: TLSError.Kind
        switch Int32(verification) {
        case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID:
            kind = .expiredCertificate
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            kind = .hostnameMismatch
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
            X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
            X509_V_ERR_CERT_SIGNATURE_FAILURE:
            kind = .unknownAuthority
        default:
            if lowered.contains("peer did not return a certificate") || lowered.contains("certificate required") {
                kind = .noClientCertificate
            } else if lowered.contains("certificate expired") {
                kind = .expiredCertificate
            } else if lowered.contains("unknown ca") || lowered.contains("bad certificate") {
                kind = .unknownAuthority
            } else if lowered.contains("no application protocol") {
                kind = .noApplicationProtocol
            } else if lowered.contains("wrong version number") || lowered.contains("http request")
                || lowered.contains("packet length too long") || lowered.contains("record layer failure")
            {
                kind = .notTLS
            } else {
                kind = operation == "handshake" ? .handshakeFailed : .connectionFailed
            }
        }
        return TLSError(kind: kind, detail: text.isEmpty ? "\(operation) failed" : text)
    }
}

enum IPAddressText {
    static func isIPAddress(_ text: String) -> Bool {
        text.contains(":") || (text.split(separator: ".").count == 4 && text.allSatisfy { $0.isNumber || $0 == "." })
    }
}
