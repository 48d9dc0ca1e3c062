import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A shared library opened with dlopen, closed when the last reference goes.
final class SharedLibrary {
    private let handle: UnsafeMutableRawPointer
    let path: String

    init(path: String) throws {
        // RTLD_LOCAL: two libraries (say two configurations) each keep their own Vmodel symbols.
        guard let h = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw CosimError.loadFailed(String(cString: dlerror()))
        }
        handle = h
        self.path = path
    }

    /// The symbol `name` as a C function pointer of type `T`.
    func function<T>(_ name: String, as type: T.Type) throws -> T {
        guard let symbol = dlsym(handle, name) else {
            throw CosimError.loadFailed("\(path) has no symbol \(name)")
        }
        return unsafeBitCast(symbol, to: type)
    }

    deinit { dlclose(handle) }
}
