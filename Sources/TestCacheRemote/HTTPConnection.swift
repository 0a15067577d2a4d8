import Foundation
import Synchronization
import TestCacheHTTP

/// What an HTTP request gave: a status and a body, or a transport failure.
enum HTTPOutcome: Sendable {
    case response(status: Int, body: [UInt8])
    /// No HTTP status came back: refused, reset, timed out, a body over the limit.
    case failure(String)
}

/// Blocking HTTP requests through libcurl (see http.c), each on a thread of its own, reusing connections
/// between requests.
///
/// Not on Dispatch's queues: on Linux their width follows the core count, and a few requests blocked
/// on a server that hangs starved every other request and the run's own waits (seen with 2 cores).
final class HTTPClient: Sendable {
    /// A curl easy handle; each is used by one request at a time.
    private struct Handle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    let connectTimeout: Duration
    let requestTimeout: Duration
    /// Extra header lines on every request (`Authorization: Bearer …`).
    let headers: [String]
    private let idle = Mutex<[Handle]>([])

    /// The largest response body accepted: far above any stored test output, which the store caps.
    static let maxBody = 1 << 30

    /// Prepares requests; libcurl is loaded by the first one, so that a run whose results are all in the
    /// local store never loads it (about 11 ms of start-up, as FoundationNetworking's would be).
    init(connectTimeout: Duration, requestTimeout: Duration, headers: [String]) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.headers = headers
    }

    deinit {
        for handle in idle.withLock({ $0 }) { stc_http_connection_free(handle.pointer) }
    }

    /// Performs one request on a thread of its own.
    func request(_ method: String, _ url: String, body: [UInt8] = []) async -> HTTPOutcome {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.perform(method, url, body: body)) }.start()
        }
    }

    private func perform(_ method: String, _ url: String, body: [UInt8]) -> HTTPOutcome {
        var error = [CChar](repeating: 0, count: 256)
        guard stc_http_load(&error) != 0 else {
            return .failure(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        guard let handle = idle.withLock({ $0.popLast() }) ?? stc_http_connection_new().map(Handle.init) else {
            return .failure("libcurl could not make a connection")
        }
        var response = stc_http_response()
        let performed = withCStrings(headers) { headerPointers in
            body.withUnsafeBufferPointer { bodyPointer in
                stc_http_perform(
                    handle.pointer, method, url, headerPointers.baseAddress, headerPointers.count, bodyPointer.baseAddress, body.count,
                    Self.milliseconds(connectTimeout), Self.milliseconds(requestTimeout), Self.maxBody, &response)
            }
        }
        idle.withLock { $0.append(handle) }
        guard performed != 0 else {
            let message = withUnsafeBytes(of: response.error) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .failure(message)
        }
        let bytes = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.bodyLength)) } ?? []
        stc_http_free_body(&response)
        return .response(status: response.status, body: bytes)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Calls `body` with C strings for `strings`, valid for the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer(body)
}
