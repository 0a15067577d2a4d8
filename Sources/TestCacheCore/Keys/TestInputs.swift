import TestCacheStore

/// What the read tracer (libTestCacheTrace.so) recorded of one test process and its children.
///
/// The log has a line per call: `r`/`w` PATH (opened to read; to write or create), `s` PATH (stat,
/// access), `d` PATH (listed), `x` PATH (executed), `e` NAME (getenv), `E *` (the whole environment,
/// through ProcessInfo.environment). Paths are absolute.
package struct TraceLog: Equatable, Sendable {
    package var read: Set<String> = []
    package var written: Set<String> = []
    package var probed: Set<String> = []
    package var listed: Set<String> = []
    package var executed: Set<String> = []
    package var variables: Set<String> = []
    package var wholeEnvironment = false

    package init() {}

    /// Sets up `environment` so that a process started with it runs under the tracer `library`, logging
    /// to `log`; a library the user preloads stays preloaded, after ours.
    static func preload(_ library: String, log: String, into environment: inout [String: String]) {
        environment["LD_PRELOAD"] = library + (environment["LD_PRELOAD"].map { ":" + $0 } ?? "")
        environment[EnvironmentVariable.traceLog] = log
    }

    /// Parses a log. A line it does not know is skipped: the last line of a killed process may be torn,
    /// and a torn line can only lose an input, which the next complete run records again.
    package init(parsing bytes: [UInt8]) {
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard line.count >= 3, line[line.startIndex + 1] == UInt8(ascii: " ") else { continue }
            let payload = String(decoding: line.dropFirst(2), as: UTF8.self)
            switch line[line.startIndex] {
            case UInt8(ascii: "r"): read.insert(payload)
            case UInt8(ascii: "w"): written.insert(payload)
            case UInt8(ascii: "s"): probed.insert(payload)
            case UInt8(ascii: "d"): listed.insert(payload)
            case UInt8(ascii: "x"): executed.insert(payload)
            case UInt8(ascii: "e"): variables.insert(payload)
            case UInt8(ascii: "E"): wholeEnvironment = true
            default: continue
            }
        }
    }
}

/// The inputs a test run consulted beyond its targets' sources, as paths relative to the package root
/// and variable names: what the second step of a lookup hashes.
///
/// Kept: files read, executed or probed, and directories listed, inside the package root; the package's
/// own products (executables, dynamic libraries) a test ran or opened in the build directory, by name.
/// Ignored, as Go ignores them: everything outside the root (the toolchain, /proc, /sys, /dev, temporary
/// files), the rest of the build output and SwiftPM's and git's bookkeeping, and files the test wrote or
/// created itself. Variables: those read by name, minus the baseline every test process reads, the ones
/// that only tell one shell from another and the ones the package's settings ignore; a read of the whole
/// environment is kept as such.
package struct TestInputs: Codable, Equatable, Sendable {
    package var files: [String]
    package var directories: [String]
    package var variables: [String]
    package var wholeEnvironment: Bool
    /// Products of the package the run executed or opened: their targets' sources are inputs.
    package var products: [String]
    /// What the build read for the target beyond its targets' directories; part of the list kept under
    /// its action ID only, since its content ID hashes what that reading made.
    package var build = BuildInputs()

    package init(
        files: [String], directories: [String], variables: [String], wholeEnvironment: Bool, products: [String] = [],
        build: BuildInputs = BuildInputs()
    ) {
        self.files = files
        self.directories = directories
        self.variables = variables
        self.wholeEnvironment = wholeEnvironment
        self.products = products
        self.build = build
    }

    /// No inputs: what an untraced run is known to have read.
    static let none = TestInputs(files: [], directories: [], variables: [], wholeEnvironment: false)

    /// The inputs in `log` of a test run in the package at `root` (absolute, normalized).
    ///
    /// - Parameters:
    ///   - ignoredDirectories: directories relative to the root whose contents are never inputs (the
    ///     scratch directory when it lies inside the root); `.build`, `.swiftpm` and `.git` always are.
    ///   - baselineVariables: what a test process reads whatever its tests do (measured).
    ///   - ignoresVariable: the package's own list of variables that are never inputs.
    ///   - buildDirectory: the scratch directory (absolute), where the products are built.
    ///   - products: the package's runnable products.
    package init(
        log: TraceLog, root: String, ignoredDirectories: [String] = [], baselineVariables: Set<String>,
        ignoresVariable: (String) -> Bool = { _ in false }, buildDirectory: String? = nil, products: [PackageProduct] = []
    ) {
        let ignored = Set(ignoredDirectories).union(InputHasher.skippedDirectories)
        func inside(_ absolute: String) -> String? {
            let path = normalizedPath(absolute)
            guard path.hasPrefix(root + "/") else { return nil }
            let relative = String(path.dropFirst(root.count + 1))
            let components = relative.split(separator: "/")
            for length in 1...max(1, components.count) where ignored.contains(components.prefix(length).joined(separator: "/")) {
                return nil
            }
            return relative
        }
        let written = Set(log.written.compactMap(inside))
        let consulted = log.read.union(log.executed).union(log.probed)
        files = Set(consulted.compactMap(inside)).subtracting(written).sorted()
        directories = Set(log.listed.compactMap(inside)).sorted()
        variables = log.variables
            .filter { !baselineVariables.contains($0) && !BuildEnvironment.isVolatile($0) && !ignoresVariable($0) }
            .sorted()
        wholeEnvironment = log.wholeEnvironment
        // A product is found by its name as any component of a path under the build directory (a file
        // inside a resource bundle uses the bundle): `.build/debug` is a link to the triple's directory,
        // and tests reach it either way. A directory that only shares a product's name makes the result
        // depend on that product needlessly, never the other way round.
        var found: Set<String> = []
        if let buildDirectory, !products.isEmpty {
            let byFileName = Dictionary(
                products.flatMap { product in product.fileNames.map { ($0, product.name) } }, uniquingKeysWith: { first, _ in first })
            let prefix = normalizedPath(buildDirectory) + "/"
            for path in consulted.map(normalizedPath) where path.hasPrefix(prefix) && !log.written.contains(path) {
                for component in path.dropFirst(prefix.count).split(separator: "/") {
                    if let name = byFileName[String(component)] { found.insert(name) }
                }
            }
        }
        self.products = found.sorted()
    }
}

/// `path` with `.` and `..` components and repeated slashes removed, without consulting the file system
/// (symbolic links are kept as written).
func normalizedPath(_ path: String) -> String {
    var parts: [Substring] = []
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch component {
        case ".": continue
        case "..": if !parts.isEmpty { parts.removeLast() }
        default: parts.append(component)
        }
    }
    return "/" + parts.joined(separator: "/")
}

extension TestInputs {
    /// A key of the current state of these inputs: each file's content (or its absence, or that it is now
    /// a directory), each directory's entry names, each variable's value (or that it is unset), and with
    /// a read of the whole environment every variable but the shell-only ones.
    ///
    /// Files are hashed by content through `hasher` (and so its stat cache), not by size and mtime as Go
    /// does: a fresh CI clone changes every mtime, and a same-size edit keeps the size. A product stands
    /// for the sources of the targets it is built from, as `productKey` gives them (nil: no such product).
    func stateKey(
        hasher: InputHasher, environment: [String: String], salt: KeySalt, record: FieldRecorder? = nil,
        productKey: (String) -> ActionID? = { _ in nil }
    ) -> ActionID {
        var key = FieldHasher(name: "test-inputs", salt: salt, record: record)
        for file in files {
            key.update(KeyField(kind: .inputFile, subject: file), Self.state(of: file, hasher: hasher))
        }
        for file in build.compilerFiles {
            key.update(KeyField(kind: .header, subject: file), Self.state(of: file, hasher: hasher))
        }
        for file in build.pluginInputs {
            key.update(KeyField(kind: .pluginInput, subject: file), Self.state(of: file, hasher: hasher))
        }
        for path in build.linkerInputs {
            Self.addLinkerInput(path, to: &key, hasher: hasher)
        }
        for directory in directories {
            key.update(KeyField(kind: .inputDirectory, subject: directory), hasher.entryNames(of: directory)?.joined(separator: "\n") ?? "absent")
        }
        for name in variables {
            key.update(KeyField(kind: .variable, subject: name), environment[name].map { "=" + $0 } ?? "unset")
        }
        if wholeEnvironment {
            BuildEnvironment.addWhole(environment, to: &key)
        }
        for product in products {
            key.update(KeyField(kind: .product, subject: product), productKey(product)?.hex ?? "absent")
        }
        return key.finalize()
    }

    /// A file's state: its content's hash, or that it is a directory, absent, or not a file.
    static func state(of file: String, hasher: InputHasher) -> String {
        if let digest = hasher.hashFile(file) { return digest.hex }
        let status = FileSystem.status(following: hasher.root + "/" + file)
        if status?.isDirectory == true { return "directory" }
        return status == nil ? "absent" : "not a file"
    }

    /// A file or library directory a link command named: a file by its state; a directory by its
    /// entries' names and each file directly in it (a link followed), since the linker picks from them by name.
    static func addLinkerInput(_ path: String, to key: inout FieldHasher, hasher: InputHasher) {
        guard let names = hasher.entryNames(of: path) else {
            key.update(KeyField(kind: .linkerInput, subject: path), state(of: path, hasher: hasher))
            return
        }
        key.update(KeyField(kind: .linkerDirectory, subject: path), names.joined(separator: "\n"))
        for name in names {
            let file = path == "." ? name : path + "/" + name
            if let digest = hasher.hashFile(file) { key.update(KeyField(kind: .linkerInput, subject: file), digest.hex) }
        }
    }

    /// These inputs without what the build read into objects: the list kept under a content ID, which
    /// hashes the objects. What the linker read stays: no object shows it.
    var withoutBuildInputs: TestInputs {
        var inputs = self
        inputs.build = BuildInputs(linkerInputs: build.linkerInputs)
        return inputs
    }

    /// What this run and `others` read together: a result made of several runs' (tests replayed from
    /// results cached per test, and those run now) depends on all of it. What the build read is this one's.
    func merging(_ others: [TestInputs]) -> TestInputs {
        guard !others.isEmpty else { return self }
        func union(_ lists: [[String]]) -> [String] { Array(Set(lists.joined())).sorted() }
        let all = [self] + others
        var merged = TestInputs(
            files: union(all.map(\.files)), directories: union(all.map(\.directories)), variables: union(all.map(\.variables)),
            wholeEnvironment: all.contains(where: \.wholeEnvironment), products: union(all.map(\.products)))
        merged.build = build
        return merged
    }
}
