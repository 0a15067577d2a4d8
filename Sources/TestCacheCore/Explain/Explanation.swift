import Foundation
import Synchronization
import TestCacheStore

/// The named fields a target's keys were made of (sources, manifests, options, traced inputs), kept
/// beside its stored result so that `explain` can say what changed since, without a second hashing scheme.
///
/// Values of variables are kept as a digest: the store is a directory anyone on the machine may read,
/// and a variable may hold a token. A digest still tells a change.
package struct KeyComponents: Codable, Equatable, Sendable {
    var fields: [KeyField: String] = [:]
    /// What the stored run consulted, to hash again for the comparison.
    package var inputs: TestInputs?

    init(fields: [KeyField: String] = [:], inputs: TestInputs? = nil) {
        self.fields = fields
        self.inputs = inputs
    }

    /// One difference, as a line.
    package struct Change: Equatable, Sendable {
        package var text: String
        /// Whether it changes what is built: the next run builds, and may still replay the stored result
        /// by its content ID if what is built for the target comes out the same.
        package var rebuilds: Bool
    }

    /// The readable differences from `stored` to these components, most telling first. `traced` says
    /// whether what tests read is traced: when it is not, a data file is part of the content ID, so its
    /// change is not one that a rebuild can find harmless.
    package func changes(since stored: KeyComponents, traced: Bool = true) -> [Change] {
        var lines: [(order: Order, text: String, rebuilds: Bool)] = []
        let changed = Set(fields.keys).union(stored.fields.keys).filter { stored.fields[$0] != fields[$0] }
        // A dependency's files are named when their record is at hand; else the dependency is.
        let namedFiles = changed.filter { $0.kind == .dependencyFile }.map(\.subject)
        for field in changed.sorted(by: { $0.name < $1.name }) {
            let old = stored.fields[field], new = fields[field]
            if field.kind == .dependency, !namedFiles.contains(where: { $0.hasPrefix(field.subject + "/") }) {
                lines.append((.package, "a file of dependency \(field.subject) changed", true))
                continue
            }
            guard let change = Self.describe(field, old: old, new: new) else { continue }
            let rebuilds = change.order.isBuilt && (traced || field.kind != .dataFile)
            lines.append((change.order, change.text, rebuilds))
        }
        return lines.sorted { ($0.order.rawValue, $0.text) < ($1.order.rawValue, $1.text) }.map {
            Change(text: $0.text, rebuilds: $0.rebuilds)
        }
    }

    /// Where a change is listed: what a user edits first.
    private enum Order: Int {
        /// Sources and what the build read of them.
        case sources
        /// What the tests read or the package declares.
        case reads
        /// Variables.
        case variables
        /// The package, the pins, the toolchain.
        case package
        /// Options and declarations.
        case options
        /// Anything else.
        case other

        /// Whether a change of this order changes what is built (and a rebuild may find it harmless).
        var isBuilt: Bool { self == .sources || self == .package || self == .options }
    }

    /// One field's change as a line, with where it is listed; nil for fields that only summarize others
    /// (a tree's key changes whenever one of its files does).
    private static func describe(_ field: KeyField, old: String?, new: String?) -> (order: Order, text: String)? {
        func what(_ noun: String) -> String {
            switch (old, new) {
            case (nil, _), ("absent", _), ("unset", _): return "\(noun) was added"
            case (_, nil), (_, "absent"), (_, "unset"): return "\(noun) was removed"
            default: return "\(noun) changed"
            }
        }
        func variable(_ noun: String) -> String {
            switch (old, new) {
            case (nil, _), ("unset", _): return "\(noun) was set"
            case (_, nil), (_, "unset"): return "\(noun) was unset"
            default: return "\(noun) changed"
            }
        }
        func option(_ name: String) -> String {
            "\(name) changed: \(old.map(shown) ?? "not given") → \(new.map(shown) ?? "not given")"
        }
        let subject = field.subject
        switch field.kind {
        case .file: return (.sources, what("source file \(subject)"))
        case .dataFile: return (.sources, what("data file \(subject)"))
        case .header: return (.sources, what("header \(subject)"))
        case .pluginInput: return (.sources, what("plugin input \(subject)"))
        case .linkerInput: return (.sources, what("linker input \(subject)"))
        case .linkerDirectory: return (.sources, "the entries of linker directory \(subject) changed")
        case .inputFile: return (.reads, what("input file \(subject)"))
        case .declaredFile: return (.reads, what("declared input file \(subject)"))
        case .inputDirectory: return (.reads, "the entries of directory \(subject) changed")
        case .variable, .declaredVariable, .env: return (.variables, variable("variable \(subject)"))
        case .product, .tree, .directoryOf, .dependency, .target, .object, .externalObject, .resource, .test:
            return nil  // summaries: the files they stand for are listed themselves
        case .manifest: return (.package, what("manifest \(subject)"))
        case .manifestVariable: return (.package, variable("variable \(subject), which \(field.reader) reads,"))
        case .dependencyFile: return (.package, what("file \(subject) of a dependency"))
        case .packageResolved: return (.package, "Package.resolved changed: other dependency versions")
        case .testEntryPoint: return (.package, what("test entry point \(subject), which decides what the test binary runs,"))
        case .toolchain: return (.package, "the toolchain changed")
        case .toolchainRuntime: return (.package, what("the toolchain's runtime library \(subject)"))
        case .environment: return (.package, "how the manifests read the environment changed: \(new ?? "")")
        case .buildOption: return (.options, "build option " + option(subject))
        case .testOption: return (.options, "test option " + option(subject))
        case .declaredInputs, .declaredVariables, .ignoredVariables, .quarantine:
            return (.options, "\(PackageSettings.fileName): \(field.kind.rawValue) changed")
        }
    }

    /// An option's value as it is shown: several given are kept one per line.
    private static func shown(_ value: String) -> String {
        value.isEmpty ? "none" : value.split(separator: "\n").joined(separator: " ")
    }
}

/// Collects a key's typed fields as ``FieldHasher`` hashes them, through its recorder.
final class KeyComponentCollector: Sendable {
    private let fields = Mutex<[KeyField: String]>([:])

    /// The recorder to give every hasher of the keys being explained.
    var recorder: FieldRecorder {
        { [self] field, value in add(field, value) }
    }

    /// The fields so far.
    var collected: [KeyField: String] { fields.withLock { $0 } }

    /// Keeps a field; a field given several times (each `--filter`) keeps each value once, in order.
    private func add(_ field: KeyField, _ value: String) {
        let kept = field.holdsVariable && value != "unset" ? "sha256:" + String(OutputID(of: Array(value.utf8)).hex.prefix(16)) : value
        fields.withLock { fields in
            guard let existing = fields[field] else { fields[field] = kept; return }
            if !existing.split(separator: "\n").contains(Substring(kept)) { fields[field] = existing + "\n" + kept }
        }
    }
}
