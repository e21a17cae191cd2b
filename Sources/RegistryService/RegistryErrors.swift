package import MLOpsRPC
package import RegistryRules

/// The registry's errors, worded as MLflow's so clients written against it
/// recognise them, with gRPC's status codes.
enum RegistryErrors {
    static func modelNotFound(_ name: String) -> RPCError {
        RPCError(code: .notFound, message: "Registered Model with name=\(name) not found")
    }

    static func versionNotFound(_ name: String, _ version: Int64) -> RPCError {
        RPCError(code: .notFound, message: "Model Version (name=\(name), version=\(version)) not found")
    }

    static func modelExists(_ name: String) -> RPCError {
        RPCError(code: .alreadyExists, message: "Registered Model (name=\(name)) already exists.")
    }

    static func aliasNotFound(_ name: String, _ alias: String) -> RPCError {
        RPCError(code: .notFound, message: "Registered model alias \(alias) not found for model \(name).")
    }

    static func denied(_ identity: String, _ action: RegistryPolicy.Action) -> RPCError {
        RPCError(code: .permissionDenied, message: "Identity '\(identity)' may not \(action).")
    }
}

extension InvalidRegistryInput: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .invalidArgument, message: message) }
}

extension InvalidStage: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .invalidArgument, message: description) }
}
