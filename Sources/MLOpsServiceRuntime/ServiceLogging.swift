package import Logging

/// Logs to standard error, one line per event with its metadata, at the
/// configured level.
package enum ServiceLogging {
    package static func bootstrap(label: String, level: String) -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        return logger
    }
}
