import Foundation
import TestCacheStore
@_exported import _TestSupport

/// `count` bytes that differ with `seed`.
func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

/// The path of a file in the store, by its hex name and suffix (`-a` entry, `-d` output).
func storeFile(_ directory: TemporaryDirectory, _ hex: String, _ suffix: String) -> String {
    "\(directory.storePath)/\(hex.prefix(2))/\(hex)\(suffix)"
}

/// The modification time of `path` in nanoseconds.
func modificationTime(_ path: String) throws -> Int64 {
    let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    return Int64((date.timeIntervalSince1970 * 1e9).rounded())
}

/// Sets the modification time of `path`.
func setModificationTime(_ path: String, _ nanoseconds: Int64) throws {
    let date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9)
    try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
}
