import Foundation
import Synchronization

/// A port on 127.0.0.1 that nothing listened on a moment ago: the kernel's pick for a socket bound to port 0.
public func freeLoopbackPort() throws -> UInt16 {
    let socket = try loopbackSocket(port: 0)
    defer { close(socket) }
    return try boundPort(socket)
}

/// nginx from Debian with WebDAV uploads, serving a temporary directory on a free loopback port: a real
/// server of Bazel's HTTP remote-cache protocol. Stopped on deinit.
public final class NginxServer: Sendable {
    private let temporary: TemporaryDirectory
    private let process: Process
    /// `http://127.0.0.1:PORT`.
    public let url: String
    /// The directory it serves: `ac/` and `cas/` appear under it.
    public var data: String { temporary.path + "/data" }

    public init() throws {
        guard let nginx = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile)
        else {
            throw HarnessError("nginx is not installed: apt-get install nginx (.ci/run does)")
        }
        temporary = try TemporaryDirectory()
        let prefix = temporary.path
        try FileManager.default.createDirectory(atPath: prefix + "/data", withIntermediateDirectories: true)
        var lastError = "nginx did not start"
        // Another process may take the free port between the check and nginx's bind: try a few.
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let configuration = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid \(prefix)/nginx.pid;
                error_log \(prefix)/error.log;
                \(geteuid() == 0 ? "user root;" : "")
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path \(prefix)/body;
                    proxy_temp_path \(prefix)/proxy;
                    fastcgi_temp_path \(prefix)/fastcgi;
                    uwsgi_temp_path \(prefix)/uwsgi;
                    scgi_temp_path \(prefix)/scgi;
                    server {
                        listen 127.0.0.1:\(port);
                        root \(prefix)/data;
                        client_max_body_size 0;
                        location / {
                            dav_methods PUT;
                            create_full_put_path on;
                            dav_access user:rw;
                        }
                    }
                }
                """
            try Data(configuration.utf8).write(to: URL(fileURLWithPath: prefix + "/nginx.conf"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: nginx)
            process.arguments = ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if waitForListener(port: port, while: { process.isRunning }) {
                self.process = process
                url = "http://127.0.0.1:\(port)"
                return
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            lastError = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? lastError
        }
        throw HarnessError("nginx did not start: \(lastError)")
    }

    deinit {
        // SIGKILL: started from a test process, nginx may inherit a mask that blocks SIGTERM, and nothing
        // it holds needs a clean shutdown.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// What ``MisbehavingServer`` does with one request.
public enum Misbehaviour: Sendable {
    /// Reads the request and never answers.
    case hang
    /// Closes the connection, unanswered, with a reset.
    case reset
    /// Answers with this status and body.
    case reply(status: Int, body: [UInt8])
    /// Promises `declared` bytes of body, sends `body`, and closes.
    case truncated(declared: Int, body: [UInt8])
}

/// A server on a free loopback port that reads each HTTP request and answers as told: hangs, resets,
/// wrong statuses, wrong or truncated bodies. It counts the requests it saw. Stopped on deinit.
public final class MisbehavingServer: Sendable {
    public let url: String
    private let listener: Int32
    private let state = Mutex<(requests: [String], connections: [Int32], stopped: Bool)>(([], [], false))
    private let answer: @Sendable (_ method: String, _ path: String) -> Misbehaviour

    public init(_ answer: @escaping @Sendable (_ method: String, _ path: String) -> Misbehaviour) throws {
        self.answer = answer
        listener = try loopbackSocket(port: 0)
        guard listen(listener, 64) == 0 else { throw HarnessError("listen failed: errno \(errno)") }
        url = "http://127.0.0.1:\(try boundPort(listener))"
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Every request so far, as `METHOD /path`.
    public var requests: [String] { state.withLock { $0.requests } }

    deinit {
        let connections = state.withLock { state -> [Int32] in
            state.stopped = true
            return state.connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in connections { close(connection) }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let stopped = state.withLock { state -> Bool in
                state.connections.append(connection)
                return state.stopped
            }
            if stopped { return }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        while let (method, path) = readRequest(connection) {
            state.withLock { $0.requests.append("\(method) \(path)") }
            switch answer(method, path) {
            case .hang:
                return  // the connection stays open, unanswered, until the server goes
            case .reset:
                var hard = linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &hard, socklen_t(MemoryLayout<linger>.size))
                close(connection)
                return
            case .reply(let status, let body):
                let bodyToSend = method == "HEAD" ? [] : body
                send(connection, "HTTP/1.1 \(status) Whatever\r\nContent-Length: \(body.count)\r\n\r\n", bodyToSend)
            case .truncated(let declared, let body):
                send(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(declared)\r\nConnection: close\r\n\r\n", body)
                close(connection)
                return
            }
        }
        close(connection)
    }

    /// The next request's method and path, its body read and dropped; nil when the peer closed.
    private func readRequest(_ connection: Int32) -> (String, String)? {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            guard recv(connection, &byte, 1, 0) == 1 else { return nil }
            head.append(byte)
        }
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return nil }
        let length = lines.first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        var remaining = length
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while remaining > 0 {
            let count = recv(connection, &buffer, min(remaining, buffer.count), 0)
            guard count > 0 else { return nil }
            remaining -= count
        }
        return (String(requestLine[0]), String(requestLine[1]))
    }

    private func send(_ connection: Int32, _ head: String, _ body: [UInt8]) {
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Foundation.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }
}

/// Whether something accepts connections on the port within a few seconds, while `alive` holds.
private func waitForListener(port: UInt16, while alive: () -> Bool) -> Bool {
    // A server that is not listening after 10 s is not going to: nginx starts in milliseconds.
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline && alive() {
        if let socket = try? loopbackSocket(port: nil) {
            defer { close(socket) }
            var address = loopbackAddress(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected == 0 { return true }
        }
        usleep(20_000)
    }
    return false
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    return address
}

/// A TCP socket, bound to 127.0.0.1:`port` unless `port` is nil.
private func loopbackSocket(port: UInt16?) throws -> Int32 {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
    guard let port else { return socket }
    var address = loopbackAddress(port: port)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(socket)
        throw HarnessError("bind failed: errno \(errno)")
    }
    return socket
}

private func boundPort(_ socket: Int32) throws -> UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let found = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    guard found == 0 else { throw HarnessError("getsockname failed: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}
