import NIOCore
import NIOHTTP2

/// The handlers of a connection that speaks gRPC: NIOHTTP2's protocol
/// handler, with one `GRPCServerStreamHandler` per stream, and its connection
/// manager for idleness and graceful shutdown.
enum GRPCServerPipeline {
    /// Streams one connection may have open at once. Each may hold a request
    /// of up to `maximumFrameSize` while it arrives, so this bounds a
    /// connection's buffered requests where our framing, reading one frame at
    /// a time, needs no bound.
    static let maximumConcurrentStreams = 100
    /// The largest header block accepted (HPACK-decoded): room for metadata,
    /// not for payloads smuggled in headers.
    static let maximumHeaderListSize = 16 * 1024
    /// Flow-control windows: what a peer may send ahead of our reading it.
    /// 1 MiB per stream, 4 MiB per connection: large requests need fewer
    /// round trips than at HTTP/2's 64 KiB default.
    static let streamWindowSize = 1 << 20
    static let connectionWindowSize = 4 << 20

    static func configure(
        after position: some ChannelHandler,
        in pipeline: ChannelPipeline,
        environment: GRPCConnectionEnvironment
    ) throws {
        let operations = pipeline.syncOperations
        let manager = NIOHTTP2ServerConnectionManagementHandler(
            eventLoop: pipeline.eventLoop,
            configuration: .init(
                maxIdleTime: TimeAmount(environment.configuration.idleTimeout),
                maxAge: nil,
                // The service's shutdown bounds the drain (its own grace period).
                maxGraceTime: nil,
                keepalive: nil
            )
        )
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.targetWindowSize = connectionWindowSize
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maximumConcurrentStreams),
            HTTP2Setting(parameter: .initialWindowSize, value: streamWindowSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maximumHeaderListSize),
            // HTTP/2's smallest and default: frames larger than this are refused.
            HTTP2Setting(parameter: .maxFrameSize, value: 1 << 14),
        ]
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = streamWindowSize
        let http2 = NIOHTTP2Handler(
            mode: .server,
            eventLoop: pipeline.eventLoop,
            connectionConfiguration: connection,
            streamConfiguration: stream,
            streamDelegate: manager.http2StreamDelegate
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                let streamID = try streamChannel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)
                try streamChannel.pipeline.syncOperations.addHandler(
                    GRPCServerStreamHandler(environment: environment, streamID: UInt32(Int(streamID ?? .rootStream)))
                )
            }
        }
        try operations.addHandler(FlushCoalescing(), position: .after(position))
        try operations.addHandler(http2, position: .last)
        try operations.addHandler(manager, position: .last)
        try operations.addHandler(GRPCConnectionErrorHandler(logger: environment.logger), position: .last)
    }
}
