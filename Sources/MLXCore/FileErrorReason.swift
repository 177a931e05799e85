import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating system's words for a Foundation file error ("Permission denied", "No space left
/// on device") instead of Foundation's generic "The operation could not be completed".
public func fileErrorReason(_ error: Error) -> String {
    let error = error as NSError
    if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
    if let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String, !detail.isEmpty { return detail }
    return error.localizedDescription
}
