#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TestCacheStore

/// A new directory only its owner can enter, `<parent>/<prefix>-XXXXXX`; nil when it cannot be made.
package func makePrivateDirectory(in parent: String, prefix: String) -> String? {
    var template = Array((parent + "/" + prefix + "-XXXXXX").utf8CString)
    return template.withUnsafeMutableBufferPointer { buffer in
        mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
    }
}

/// Removes a directory that holds only files (a run's trace logs).
func removeFlatDirectory(_ path: String) {
    FileSystem.forEachFile(inDirectory: path) { _, _ in true }
    rmdir(path)
}
