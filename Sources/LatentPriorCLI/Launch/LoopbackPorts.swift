import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TCP ports on 127.0.0.1 for a local ring: free ones picked by the kernel, or given ones checked.
enum LoopbackPorts {
    /// `count` ports the kernel reports free (bound to port 0, then released).
    static func free(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        // All held open until every port is chosen, so the kernel gives distinct ones.
        for _ in 0..<count {
            let (socket, port) = try bind(port: 0)
            sockets.append(socket)
            ports.append(port)
        }
        return ports
    }

    /// Throws naming the first of `ports` that something else is listening on.
    static func checkFree(_ ports: [Int]) throws {
        for port in ports {
            guard (1...65_535).contains(port) else { throw InputError("port \(port) is not a TCP port (1...65535)") }
            let (socket, _) = try bind(port: port)
            close(socket)
        }
    }

    private static func bind(port: Int) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InputError("cannot open a socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw InputError("port \(port) on 127.0.0.1 is in use or not allowed (\(reason)); choose another --port-base")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
