import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One scrape of a service's Prometheus text: every sample's name, labels and value.
struct PrometheusScrape {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample]

    /// GETs `url` over plain HTTP/1.1 with SwiftNIO (FoundationNetworking would
    /// bring libcurl into mlopsctl, and keep it from linking statically).
    /// A scrape is a read: one that fails on the way (a connection the
    /// server closed first) is tried again, twice, before the run fails.
    static func fetch(_ url: URL) async throws -> PrometheusScrape {
        guard url.scheme == "http", url.host != nil else {
            throw CommandFailure("\(url): only http:// metrics endpoints can be scraped")
        }
        for attempt in 1... {
            do {
                return try await fetchOnce(url)
            } catch let error as CommandFailure {
                throw error
            } catch  where attempt < 3 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        fatalError("unreachable: the last attempt returns or throws")
    }

    private static func fetchOnce(_ url: URL) async throws -> PrometheusScrape {
        let host = url.host ?? "localhost"
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: url.port ?? 80) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        let (status, body) = try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.path.isEmpty ? "/" : url.path)
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "Connection", value: "close")
            // Both parts in one write: the server may answer and close as soon as it has the head.
            try await outbound.write(contentsOf: [.head(head), .end(nil)])
            var (status, body) = (0, ByteBuffer())
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body(var chunk): body.writeBuffer(&chunk)
                case .end: return (status, body)
                }
            }
            return (status, body)
        }
        guard status == 200 else { throw CommandFailure("\(url) answered \(status), not 200 with Prometheus text") }
        return PrometheusScrape(text: String(buffer: body))
    }

    /// Reads `name{key="value",…} number` lines; comments and what does not read are skipped.
    init(text: String) {
        samples = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{"), series.hasSuffix("}") else {
                return Sample(name: String(series), labels: [:], value: value)
            }
            var labels: [String: String] = [:]
            // Our label values hold no commas or quotes: method paths, status codes, bucket bounds.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",")
            {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// The sum of `name`'s samples whose labels include `matching`.
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    /// Cumulative bucket counts of histogram `name`, by upper bound.
    func buckets(_ name: String, _ matching: [String: String]) -> [(bound: Double, count: Double)] {
        var byBound: [Double: Double] = [:]
        for sample in samples
        where sample.name == name + "_bucket"
            && matching.allSatisfy({ key, value in sample.labels[key] == value })
        {
            guard let bound = sample.labels["le"].flatMap({ $0 == "+Inf" ? Double.infinity : Double($0) }) else {
                continue
            }
            byBound[bound, default: 0] += sample.value
        }
        return byBound.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// What the service itself saw of a run, from its metrics before and after:
/// its count and rate of the scenario's calls, their latency, and its
/// database pool's waits. Beside the client's view it tells whether the
/// client or the server is the limit.
struct ServerView {
    var calls: Double
    var rate: Double
    var meanMilliseconds: Double
    /// From the histogram's buckets (Prometheus' histogram_quantile): an estimate.
    var p99Milliseconds: Double
    var poolWaits: Double
    var poolWaitMeanMilliseconds: Double

    init(before: PrometheusScrape, after: PrometheusScrape, method: String, seconds: Double) {
        let byMethod = ["method": method]
        calls = after.sum("rpc_server_requests_total", byMethod) - before.sum("rpc_server_requests_total", byMethod)
        rate = seconds > 0 ? calls / seconds : 0
        let duration = "rpc_server_request_duration_seconds"
        let time = after.sum(duration + "_sum", byMethod) - before.sum(duration + "_sum", byMethod)
        let timed = after.sum(duration + "_count", byMethod) - before.sum(duration + "_count", byMethod)
        meanMilliseconds = timed > 0 ? time / timed * 1000 : 0
        let (early, late) = (before.buckets(duration, byMethod), after.buckets(duration, byMethod))
        let deltas = late.map { bucket in
            (bucket.bound, bucket.count - (early.first { $0.bound == bucket.bound }?.count ?? 0))
        }
        p99Milliseconds = Self.quantile(0.99, deltas) * 1000
        let wait = "postgres_pool_wait_duration_seconds"
        poolWaits = after.sum(wait + "_count") - before.sum(wait + "_count")
        let waited = after.sum(wait + "_sum") - before.sum(wait + "_sum")
        poolWaitMeanMilliseconds = poolWaits > 0 ? waited / poolWaits * 1000 : 0
    }

    /// Linear interpolation within the bucket the quantile falls in, as Prometheus does.
    static func quantile(_ q: Double, _ cumulative: [(bound: Double, count: Double)]) -> Double {
        guard let total = cumulative.last?.count, total > 0 else { return 0 }
        let rank = q * total
        var (lowerBound, lowerCount) = (0.0, 0.0)
        for (bound, count) in cumulative {
            if count >= rank {
                guard bound.isFinite else { return lowerBound }
                let inBucket = count - lowerCount
                return inBucket > 0 ? lowerBound + (bound - lowerBound) * (rank - lowerCount) / inBucket : bound
            }
            (lowerBound, lowerCount) = (bound, count)
        }
        return lowerBound
    }
}
