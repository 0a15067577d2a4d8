import Synchronization
import TestCacheStore

/// Computes the seed's second key, the content ID: a hash of what will actually run for a test target,
/// known only after the build. A change that does not change what runs (a comment, `1` → `01`)
/// changes the action ID but not the content ID, so the stored result is replayed without running.
///
/// What it covers: the package-wide inputs of the action ID (toolchain, manifests, pins, build options,
/// local dependencies); the inputs the package's settings declare for the target; what the target's
/// code can reach in the objects of the target, of each root-package target it depends on and of Swift
/// Build's runner for it (``ObjectGraph``: every section of the target's own objects and the runner's,
/// and of its dependencies' the sections reached from those or from what a runtime scans, such as
/// Swift's type and conformance records); every object of every target outside the root package
/// (remote dependencies, hashed whole rather than trusted by their pin); the targets' resource
/// bundles; the cacheable test options.
///
/// What it leaves out, because it cannot change what a test does: debugger-only module wrappers,
/// debug-info and unwind sections, a dependency's functions and globals that nothing the target runs
/// points at (Go's linker drops those from a test binary; here they stay in the binary, unreached), and
/// the native build system's generated test-list module, whose order SwiftPM randomises. Other
/// root-package targets are left out too. Under Swift Build they are not linked at all; natively they
/// are, and only the selected target's tests run, but what they declare for the runtime (a
/// retroactive conformance, say) is seen by the target's dynamic casts: a limit README states.
final class ContentKeys: Sendable {
    let salt: KeySalt
    let trace: (@Sendable (String) -> Void)?
    /// Where the build put each module's objects and the resource bundles.
    let layout: BuildLayout
    let model: PackageModel
    /// Object hashes by path: targets share dependencies, and each object is read once a run.
    private let objects = Mutex<[String: String]>([:])
    /// Objects of the root package read as graphs, by path, each read once a run.
    private let graphs = Mutex<[String: ObjectGraph.Member]>([:])

    init(salt: KeySalt, trace: (@Sendable (String) -> Void)?, layout: BuildLayout, model: PackageModel) {
        self.salt = salt
        self.trace = trace
        self.layout = layout
        self.model = model
    }

    /// The content ID of one test target after a successful build, or nil when its build products are
    /// not where SwiftPM puts them (then the target simply runs).
    /// `untracedReads` stands for the files a test may read unseen when runs are not traced.
    func contentID(
        for target: PackageTarget, inputs: PackageInputs, test: TestOptions, declared: ActionID?, untracedReads: ActionID?
    ) -> ActionID? {
        var key = KeyHasher(name: "test-content", salt: salt, trace: trace)
        key.update(inputs.buildKey)
        if let declared { key.update(declared) }
        if let untracedReads { key.update(untracedReads) }
        key.update(field: "target", target.name)
        var members: [ObjectGraph.Member] = []
        func add(module: String, label: String, isEntry: Bool) -> Bool {
            guard let directory = layout.moduleDirectories[module], let names = layout.objectNames(ofModule: module) else { return false }
            for name in names { members.append(member(label: label + "/" + name, path: directory + "/" + name, isEntry: isEntry)) }
            return true
        }
        for dependency in model.closure(of: target) {
            guard add(module: dependency.moduleName, label: dependency.name, isEntry: dependency.name == target.name) else { return nil }
            for (path, digest) in resourceHashes(of: dependency) {
                key.update(field: "resource \(dependency.name)/\(path)", digest.hex)
            }
        }
        for module in layout.generatedModules(for: target) {
            guard add(module: module, label: module, isEntry: true) else { return nil }
        }
        for (label, digest) in ObjectGraph.reachableDigests(members) { key.update(field: "object \(label)", digest) }
        for (name, digest) in externalObjectHashes() { key.update(field: "external object \(name)", digest) }
        TestOption.addKeyed(test, to: &key)
        return key.finalize()
    }

    /// An object of a test target's closure, read as a graph (hashed whole when it cannot be).
    private func member(label: String, path: String, isEntry: Bool) -> ObjectGraph.Member {
        if var known = graphs.withLock({ $0[path] }) {
            known.label = label
            known.isEntry = isEntry
            return known
        }
        let bytes = FileSystem.contents(path) ?? []
        let graph = ObjectGraph(bytes)
        let member = ObjectGraph.Member(
            label: label, graph: graph, wholeDigest: graph == nil ? (bytes.isEmpty ? "unreadable" : ObjectHasher.hash(bytes)) : "",
            isEntry: isEntry)
        graphs.withLock { $0[path] = member }
        return member
    }

    /// The hashes of a module's object files by name, sorted; nil when its build directory is missing.
    private func objectHashes(ofTarget module: String) -> [(String, String)]? {
        guard let directory = layout.moduleDirectories[module], let names = layout.objectNames(ofModule: module) else { return nil }
        return names.map { ($0, objectHash(directory + "/" + $0)) }
    }

    /// Objects of every module that is not the root package's own, nor one the build system generated.
    private func externalObjectHashes() -> [(String, String)] {
        let rootModules = Set(model.targets.map(\.moduleName))
        let modules = layout.moduleDirectories.keys.filter { !rootModules.contains($0) && !layout.isGenerated($0) }
        return modules.sorted().flatMap { module in
            (objectHashes(ofTarget: module) ?? []).map { ("\(module)/\($0.0)", $0.1) }
        }
    }

    /// The files of a target's resource bundle (`<Package>_<Target>.resources`), if it has one.
    private func resourceHashes(of target: PackageTarget) -> [(String, OutputID)] {
        let bundle = layout.resourceBundle(of: target)
        guard FileSystem.status(following: bundle)?.isDirectory == true else { return [] }
        let hasher = InputHasher(root: parentDirectory(bundle), previous: [:], now: 0)
        return hasher.hashTree(String(bundle.split(separator: "/").last!)).map { ($0.path, $0.digest) }
    }

    private func objectHash(_ path: String) -> String {
        if let known = objects.withLock({ $0[path] }) { return known }
        let digest = FileSystem.contents(path).map(ObjectHasher.hash) ?? "unreadable"
        objects.withLock { $0[path] = digest }
        return digest
    }
}

extension ContentKeys {
    /// The key of a product as it was built: each of its files in the build directory by what can run
    /// (``ObjectHasher``), a resource bundle by its files' contents. A comment edit in its sources leaves
    /// it as it was, where the key of its sources changes. Only good after a build: before one, the files
    /// in the build directory may be older than the sources.
    static func builtProductKey(_ product: PackageProduct, buildDirectory: String, salt: KeySalt) -> ActionID {
        var key = KeyHasher(name: "built-product", salt: salt)
        for name in product.fileNames {
            let path = buildDirectory + "/" + name
            guard let status = FileSystem.status(following: path) else { continue }
            if status.isDirectory {
                for file in InputHasher(root: buildDirectory, previous: [:], now: 0).hashTree(name) {
                    key.update(field: "file " + file.path, file.digest.hex)
                }
            } else if let bytes = FileSystem.contents(path) {
                key.update(field: "file " + name, ObjectHasher.hash(bytes))
            }
        }
        return key.finalize()
    }
}

/// Hashes an object file by what can run: for ELF, every section but debug info and its relocations,
/// and the Swift compiler's module hash.
///
/// Debug sections hold line tables and the names of module-cache files, which change when nothing that
/// runs did (a blank line at the top of a file; the first incremental build after a clean one).
/// `.swift_modhash` is a private global no code refers to: the compiler stores a hash of the module's
/// LLVM IR there to skip code generation next time, and its value was seen to differ between a clean
/// and an incremental compile of the same source. Anything that is not a well-formed 64-bit
/// little-endian ELF object is hashed whole.
enum ObjectHasher {
    /// The hex digest of an object's running parts (of the whole file when it is not ELF).
    static func hash(_ bytes: [UInt8]) -> String {
        guard let sections = elfSections(bytes) else { return "whole " + OutputID(of: bytes).hex }
        var hasher = KeyHasher(name: "object-sections", salt: KeySalt(toolVersion: ""))
        // The file header, but for where the section table is (it moves when debug sections grow).
        var header = Array(bytes[0..<64])
        header.replaceSubrange(0x28..<0x30, with: repeatElement(0, count: 8))
        header.withUnsafeBytes { hasher.update(bytes: $0) }
        for section in sections where !isDebugInfo(section.name) {
            // The whole section header (type, flags, link, info, alignment, entry size) but its file offset.
            section.header.withUnsafeBytes { hasher.update(bytes: $0) }
            bytes[section.range].withUnsafeBytes { hasher.update(bytes: $0) }
        }
        return "sections " + hasher.finalize().hex
    }

    /// Whether a section is left out: debug info, the module hash, and a linked file's build ID, which the
    /// linker computes over the whole file, debug info included.
    static func isDebugInfo(_ name: String) -> Bool {
        name.hasPrefix(".debug") || name.hasPrefix(".rela.debug") || name.hasPrefix(".rel.debug")
            || name == ".swift_modhash" || name == ".note.gnu.build-id"
    }

    struct Section {
        var name: String
        var type: UInt32
        /// The section's header entry with its file offset zeroed.
        var header: [UInt8]
        /// Where its contents are in the file; empty for SHT_NOBITS (.bss), which has a size and no contents.
        var range: Range<Int>
    }

    /// The sections of a 64-bit little-endian ELF file, or nil for anything else or anything out of bounds.
    static func elfSections(_ bytes: [UInt8]) -> [Section]? {
        // e_ident: magic, class 2 (64-bit), data 1 (little-endian); the header is 64 bytes.
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
            bytes[4] == 2, bytes[5] == 1
        else { return nil }
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T? {
            guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
            return value
        }
        guard let tableOffset = integer(0x28, UInt64.self), let entrySize = integer(0x3A, UInt16.self),
            let count = integer(0x3C, UInt16.self), let namesIndex = integer(0x3E, UInt16.self),
            entrySize >= 64, namesIndex < count,
            tableOffset <= UInt64(bytes.count), UInt64(count) * UInt64(entrySize) <= UInt64(bytes.count) - tableOffset
        else { return nil }
        var headers: [(nameOffset: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64)] = []
        for index in 0..<Int(count) {
            let base = Int(tableOffset) + index * Int(entrySize)
            guard let name = integer(base, UInt32.self), let type = integer(base + 4, UInt32.self),
                let flags = integer(base + 8, UInt64.self), let offset = integer(base + 24, UInt64.self),
                let size = integer(base + 32, UInt64.self)
            else { return nil }
            headers.append((name, type, flags, offset, size))
        }
        func contents(_ header: (nameOffset: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64)) -> Range<Int>? {
            if header.type == 8 || header.type == 0 { return 0..<0 }
            guard header.offset <= UInt64(bytes.count), header.size <= UInt64(bytes.count) - header.offset else { return nil }
            return Int(header.offset)..<Int(header.offset + header.size)
        }
        guard let names = contents(headers[Int(namesIndex)]) else { return nil }
        var sections: [Section] = []
        for header in headers {
            guard let range = contents(header), UInt64(header.nameOffset) < UInt64(names.count) else { return nil }
            let start = names.lowerBound + Int(header.nameOffset)
            let end = bytes[start..<names.upperBound].firstIndex(of: 0) ?? names.upperBound
            let name = String(decoding: bytes[start..<end], as: UTF8.self)
            let entry = Int(tableOffset) + sections.count * Int(entrySize)
            var headerBytes = Array(bytes[entry..<(entry + Int(entrySize))])
            headerBytes.replaceSubrange(24..<32, with: repeatElement(0, count: 8))
            sections.append(Section(name: name, type: header.type, header: headerBytes, range: range))
        }
        return sections
    }
}

/// A name made a C identifier as SwiftPM makes module names of package and target names: every character
/// that is not a letter, a digit or `_` becomes `_`, and a leading digit gets a `_` before it.
func c99Name(_ name: String) -> String {
    var result = String(name.unicodeScalars.map { scalar -> Character in
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" ? Character(scalar) : "_"
    })
    if let first = result.unicodeScalars.first, ("0"..."9").contains(first) { result = "_" + result }
    return result
}
