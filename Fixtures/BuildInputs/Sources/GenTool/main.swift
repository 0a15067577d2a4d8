import Foundation

// Writes `public let generatedValue = N` from the number in the input file.
let arguments = CommandLine.arguments
let number = try String(contentsOfFile: arguments[1], encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
try "public let generatedValue = \(number)\n".write(toFile: arguments[2], atomically: true, encoding: .utf8)
