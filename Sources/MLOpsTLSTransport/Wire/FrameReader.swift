import MLOpsRPC
package import NIOCore

/// What the frame reader hands the connection.
package enum InboundFrame: Sendable, Equatable {
    case frame(Frame)
    /// A frame announced a payload above the limit. Its bytes are skipped as
    /// they arrive, never buffered; the stream gets RESOURCE_EXHAUSTED and the
    /// connection lives on.
    case oversized(kind: Frame.Kind, streamID: UInt32, length: UInt32)
}

/// A frame the protocol cannot make sense of; the connection must close.
package struct FrameProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// Splits the plaintext byte stream into frames. Checks the announced length
/// against the limit as soon as the 10-byte header is in, before buffering
/// anything of the payload. Frames are slices of the bytes read, not copies.
///
/// The connection handlers read frames themselves rather than through a
/// `ByteToMessageHandler`: one pipeline step and a boxed value per frame less.
package struct FrameReader {
    package let maximumPayloadSize: Int
    /// Bytes read and not yet framed.
    private var unread = ByteBuffer()

    /// Bytes of an oversized frame still to skip.
    private var skipping = 0
    /// After a protocol error nothing more is read: the connection is closing.
    private var failed = false

    package init(maximumPayloadSize: Int) {
        self.maximumPayloadSize = maximumPayloadSize
    }

    /// Adds bytes read from the connection.
    package mutating func append(_ bytes: ByteBuffer) {
        if failed { return }
        if unread.readableBytes == 0 {
            // The usual case, whole frames per read: no copy.
            unread = bytes
        } else {
            // A frame cut in two: its start moves to the front (copied, if the
            // frames before it still share the storage) and the rest follows,
            // so the buffer holds at most one partial frame and a read's worth.
            unread.discardReadBytes()
            var bytes = bytes
            unread.writeBuffer(&bytes)
        }
    }

    /// The next whole frame, or nil until more bytes arrive.
    package mutating func next() throws(FrameProtocolError) -> InboundFrame? {
        if skipping > 0 {
            let skipped = min(skipping, unread.readableBytes)
            unread.moveReaderIndex(forwardBy: skipped)
            skipping -= skipped
            if skipping > 0 { return nil }
        }
        let start = unread.readerIndex
        guard unread.readableBytes >= Frame.headerSize,
            let length = unread.getInteger(at: start, as: UInt32.self),
            let kindByte = unread.getInteger(at: start + 4, as: UInt8.self),
            let flags = unread.getInteger(at: start + 5, as: UInt8.self),
            let streamID = unread.getInteger(at: start + 6, as: UInt32.self)
        else {
            return nil
        }
        guard let kind = Frame.Kind(rawValue: kindByte) else {
            failed = true
            unread.clear()
            throw FrameProtocolError(message: "unknown frame kind \(kindByte)")
        }
        if Int(length) > maximumPayloadSize {
            unread.moveReaderIndex(forwardBy: Frame.headerSize)
            skipping = Int(length)
            return .oversized(kind: kind, streamID: streamID, length: length)
        }
        guard unread.readableBytes >= Frame.headerSize + Int(length) else {
            return nil
        }
        unread.moveReaderIndex(forwardBy: Frame.headerSize)
        let payload = unread.readSlice(length: Int(length))!
        return .frame(Frame(kind: kind, flags: Frame.Flags(rawValue: flags), streamID: streamID, payload: payload))
    }
}
