import Foundation
import TestCacheStore

/// One command of SwiftPM's llbuild manifest: what it reads, what it writes, and for the commands that
/// run a program, its arguments.
struct ManifestCommand: Equatable, Sendable {
    var inputs: [String]
    var outputs: [String]
    var arguments: [String] = []
}

/// Reads the commands of SwiftPM's llbuild manifest (`<scratch>/<configuration>.yaml`) that learning what
/// the build read needs: build tool plugin commands (what they declare reading) and link commands (what
/// their arguments name, which no dependency file lists).
///
/// The manifest is YAML as SwiftPM writes it: under `commands:`, a quoted name per command at two spaces,
/// and `inputs: [...]`, `outputs: [...]` and `args: [...]` as JSON arrays of strings and `description:` as
/// a JSON string at four. Only the commands asked for are decoded: a large package's manifest holds
/// thousands of paths.
enum BuildManifest {
    /// Which commands to decode.
    enum Selection: Sendable {
        /// Those with an output whose path contains the string (every command for an empty one).
        case outputsContaining(String)
        /// SwiftPM's link commands, described as `Linking <product>`.
        case links
    }

    /// The commands of the manifest at `path` that `selection` picks; nil when it cannot be read or a
    /// command it picks cannot be decoded, since a list missing a command would be taken for complete.
    static func commands(at path: String, selecting selection: Selection) -> [ManifestCommand]? {
        guard let bytes = FileSystem.contents(path) else { return nil }
        if path.hasSuffix(".json") { return jsonCommands(bytes, selecting: selection) }
        var commands: [ManifestCommand] = []
        var inCommands = false
        var undecodable = false
        var current = RawCommand()
        func finish() {
            defer { current = RawCommand() }
            guard current.started, current.isSelected(by: selection) else { return }
            guard let command = current.decoded(withArguments: { if case .links = selection { true } else { false } }()) else {
                undecodable = true
                return
            }
            commands.append(command)
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }  // blank lines part the commands
            if !line.hasPrefix(" ") {
                finish()
                inCommands = line == "commands:"
                continue
            }
            guard inCommands else { continue }
            if line.hasPrefix("  \"") {
                finish()
                current.started = true
            } else if let value = Self.value(of: "inputs", in: line) {
                current.inputs = value
            } else if let value = Self.value(of: "outputs", in: line) {
                current.outputs = value
            } else if let value = Self.value(of: "description", in: line) {
                current.description = value
            } else if let value = Self.value(of: "args", in: line) {
                current.arguments = value
            }
        }
        finish()
        return undecodable ? nil : commands
    }

    /// The commands of Swift Build's manifest (`manifest.json`: an object whose `commands` maps each
    /// command's name to its `description`, `inputs`, `outputs` and `args`) that `selection` picks.
    /// Its link commands are described as `Ld <product> normal`.
    private static func jsonCommands(_ bytes: [UInt8], selecting selection: Selection) -> [ManifestCommand]? {
        struct Manifest: Decodable {
            var commands: [String: Command]
        }
        struct Command: Decodable {
            var description: String?
            var inputs: [String]?
            var outputs: [String]?
            var args: [String]?
        }
        // The error itself says nothing the caller can act on: unreadable is unreadable.
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(bytes)) else { return nil }
        var commands: [ManifestCommand] = []
        for name in manifest.commands.keys.sorted() {
            let command = manifest.commands[name]!
            let outputs = command.outputs ?? []
            switch selection {
            case .outputsContaining(let part):
                guard part.isEmpty || outputs.contains(where: { $0.contains(part) }) else { continue }
                commands.append(ManifestCommand(inputs: command.inputs ?? [], outputs: outputs))
            case .links:
                guard command.description?.hasPrefix("Ld ") == true else { continue }
                commands.append(ManifestCommand(inputs: command.inputs ?? [], outputs: outputs, arguments: command.args ?? []))
            }
        }
        return commands
    }

    /// The text after `    <field>: ` on a command's line, or nil when the line holds another field.
    private static func value(of field: String, in line: Substring) -> Substring? {
        let prefix = "    " + field + ": "
        return line.hasPrefix(prefix) ? line.dropFirst(prefix.count) : nil
    }

    /// A command's fields as the manifest spells them, decoded only once it is known to be wanted.
    private struct RawCommand {
        var started = false
        var inputs: Substring = ""
        var outputs: Substring = ""
        var description: Substring = ""
        var arguments: Substring = ""

        func isSelected(by selection: Selection) -> Bool {
            switch selection {
            case .outputsContaining(let part): part.isEmpty || outputs.contains(part)
            case .links: description.hasPrefix("\"Linking ")
            }
        }

        /// The command, or nil when one of its lists is not the JSON array of strings SwiftPM writes.
        func decoded(withArguments: Bool) -> ManifestCommand? {
            guard let inputs = Self.strings(inputs), let outputs = Self.strings(outputs),
                let arguments = withArguments ? Self.strings(arguments) : []
            else { return nil }
            return ManifestCommand(inputs: inputs, outputs: outputs, arguments: arguments)
        }

        /// A field's JSON array; an absent field is an empty one.
        private static func strings(_ text: Substring) -> [String]? {
            text.isEmpty ? [] : try? JSONDecoder().decode([String].self, from: Data(text.utf8))
        }
    }
}
