import PackagePlugin

/// Generates a Swift source from gen/value.txt at the package root, declared as the command's input.
@main struct GenPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "gen/value.txt")
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedValue.swift")
        return [
            .buildCommand(
                displayName: "Generating GeneratedValue.swift", executable: try context.tool(named: "GenTool").url,
                arguments: [input.path, output.path], inputFiles: [input], outputFiles: [output])
        ]
    }
}
