import Logging
import MLOpsRPC
import NIOCore

/// What the gRPC streams of one connection share.
struct GRPCConnectionEnvironment: Sendable {
    let router: RPCRouter
    let configuration: RPCServerConfiguration
    let peer: PeerIdentity?
    let calls: ServerCallTasks
    let activity: ConnectionActivity
    let logger: Logger
    let connectionTag: String
    let requestBudget: NIOLoopBound<GRPCRequestBudget>
}
