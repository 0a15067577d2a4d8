import Foundation
import TestCacheStore

/// One target of the root package, as the evaluated package description gives it.
package struct PackageTarget: Codable, Sendable, Equatable {
    package var name: String
    /// The module name test IDs start with (`c99name`).
    package var moduleName: String
    /// `test`, `library`, `executable`, `macro`, `plugin`…
    package var kind: String
    /// The target's directory, relative to the package root.
    package var path: String
    /// Targets of this package it depends on directly, by name.
    package var dependencies: [String]
    /// The files the build compiles, relative to ``path`` (C headers are not listed). Every other file
    /// under the directory (fixtures, snapshots, resources) is data: it can change what a test does only
    /// by being read, never by being built.
    package var sources: [String] = []

    package var isTest: Bool { kind == "test" }

    /// The files the build compiles, relative to the package root.
    package var sourcePaths: Set<String> { Set(sources.map { path == "." ? $0 : path + "/" + $0 }) }
}

/// Something the build makes from the root package's sources that a test can run, load or read in the
/// build directory: an executable (`.build/debug/<name>`), a dynamic library (`lib<name>.so`,
/// `lib<name>.dylib`), or a target's resource bundle (`<Package>_<Target>.resources`).
package struct PackageProduct: Codable, Sendable, Equatable {
    package var name: String
    /// The targets it is built from, by name.
    package var targets: [String]
    /// The names it has in the build directory: a path with any of them as a component uses it.
    package var fileNames: [String]

    package init(name: String, targets: [String], fileNames: [String]? = nil) {
        self.name = name
        self.targets = targets
        self.fileNames = fileNames ?? [name, "lib\(name).so", "lib\(name).dylib"]
    }
}

/// What the engine needs of a package: its targets in manifest order and where its dependencies live.
package struct PackageModel: Codable, Sendable, Equatable {
    package var name: String
    package var targets: [PackageTarget]
    /// Its executable and dynamic library products, whose files a test may run or load.
    package var products: [PackageProduct] = []
    /// Local (`path:`) dependency packages, relative to the package root when inside or beside it.
    package var localDependencyPaths: [String]
    /// Whether any dependency comes from a repository (its pinned version is then in Package.resolved).
    package var hasRemoteDependencies: Bool

    /// The test targets, in the order the manifest declares them.
    package var testTargets: [PackageTarget] { targets.filter(\.isTest) }

    package func target(named name: String) -> PackageTarget? {
        targets.first { $0.name == name }
    }

    /// `target` and every target of this package it depends on, directly or not, sorted by name.
    package func closure(of target: PackageTarget) -> [PackageTarget] {
        closure(ofTargetsNamed: [target.name])
    }

    /// The named targets and every target of this package they depend on, sorted by name.
    package func closure(ofTargetsNamed names: [String]) -> [PackageTarget] {
        let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        var pending = names
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let next = byName[name] else { continue }
            pending += next.dependencies
        }
        return targets.filter { seen.contains($0.name) }.sorted { $0.name < $1.name }
    }
}

extension PackageModel {
    /// Builds the model from `swift package describe --type json` (paths, module names, dependencies),
    /// ordering the targets as `manifest`, the text of Package.swift, declares them.
    ///
    /// `describe` lists targets by name, not in manifest order; `dump-package` has that order but costs a
    /// second evaluation of the manifest, serialized behind the first by SwiftPM's lock on `.build`
    /// (about 0.3 s of every run that has to describe the package). The order only decides in which order
    /// results are printed, so reading it from the manifest's text is enough: see ``manifestOrder(of:in:)``.
    package init(describeJSON: [UInt8], manifest: [UInt8], root: String) throws {
        guard let describe = try? JSONSerialization.jsonObject(with: Data(describeJSON)) as? [String: Any],
            let described = describe["targets"] as? [[String: Any]]
        else { throw TestCacheError(.package, "the package description is not the JSON SwiftPM writes") }

        var targets: [PackageTarget] = []
        for entry in described {
            guard let name = entry["name"] as? String, let path = entry["path"] as? String else { continue }
            targets.append(PackageTarget(
                name: name,
                moduleName: entry["c99name"] as? String ?? name,
                kind: entry["type"] as? String ?? "library",
                path: path,
                dependencies: entry["target_dependencies"] as? [String] ?? [],
                sources: entry["sources"] as? [String] ?? []
            ))
        }
        let order = manifestOrder(of: targets.map(\.name), in: String(decoding: manifest, as: UTF8.self))
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        targets.sort { position[$0.name, default: .max] < position[$1.name, default: .max] }

        var localPaths: [String] = []
        var remote = false
        for dependency in describe["dependencies"] as? [[String: Any]] ?? [] {
            if dependency["type"] as? String == "fileSystem", let path = dependency["path"] as? String {
                localPaths.append(relativePath(path, from: root))
            } else {
                remote = true
            }
        }
        var products: [PackageProduct] = []
        for entry in describe["products"] as? [[String: Any]] ?? [] {
            guard let name = entry["name"] as? String, let type = entry["type"] as? [String: Any] else { continue }
            let runnable = type["executable"] != nil
                || (type["library"] as? [String])?.contains("dynamic") == true
            if runnable { products.append(PackageProduct(name: name, targets: entry["targets"] as? [String] ?? [])) }
        }
        // A target's resources are copied into a bundle beside the binaries; a test may read another
        // target's bundle by its path rather than through Bundle.module.
        let packageName = describe["name"] as? String ?? ""
        for entry in described where !(entry["resources"] as? [Any] ?? []).isEmpty {
            guard let target = entry["name"] as? String else { continue }
            let bundle = "\(packageName)_\(target)"
            products.append(PackageProduct(
                name: bundle + ".resources", targets: [target], fileNames: [bundle + ".resources", bundle + ".bundle"]))
        }
        self.init(
            name: describe["name"] as? String ?? "",
            targets: targets,
            products: products,
            localDependencyPaths: localPaths.sorted(),
            hasRemoteDependencies: remote
        )
    }
}

/// `names` in the order a manifest's text declares them: by where `name: "<name>"` first appears, then
/// the names it never spells out that way (targets made in a loop, say) in name order.
func manifestOrder(of names: [String], in manifest: String) -> [String] {
    var firstSeen: [String: Int] = [:]
    let wanted = Set(names)
    var rest = Substring(manifest)
    var position = 0
    // Every `name:` argument followed by a string literal, in the order they appear.
    while let label = rest.range(of: "name:") {
        rest = rest[label.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { continue }
        let literal = String(rest[rest.index(after: rest.startIndex)..<close])
        if wanted.contains(literal), firstSeen[literal] == nil {
            firstSeen[literal] = position
            position += 1
        }
        rest = rest[close...]
    }
    return names.sorted { (firstSeen[$0] ?? .max, $0) < (firstSeen[$1] ?? .max, $1) }
}

/// `path` relative to `base` (`../Other` for a sibling), or `path` itself when they share nothing but `/`.
func relativePath(_ path: String, from base: String) -> String {
    let pathParts = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
    let baseParts = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
    var common = 0
    while common < min(pathParts.count, baseParts.count) && pathParts[common] == baseParts[common] { common += 1 }
    guard common > 1 else { return path }
    let ups = Array(repeating: "..", count: baseParts.count - common)
    let parts = ups + pathParts[common...]
    return parts.isEmpty ? "." : parts.joined(separator: "/")
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
