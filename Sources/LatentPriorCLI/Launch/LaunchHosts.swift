import Foundation
import MLXCore

/// Where the ranks of a launch run: `count` ranks on this machine over loopback, or one rank per
/// host of an mlx.launch-style hostfile (`[{"ssh": "host1", "ips": ["10.0.0.1"]}, …]`), started
/// over ssh. Either way, the ring hostfile MLX reads: each rank's "ip:port" list, in rank order.
struct LaunchHosts {
    struct Host: Equatable {
        /// nil: this machine (no ssh).
        let ssh: String?
        let ip: String
        let port: Int
    }

    let hosts: [Host]

    static func local(count: Int, portBase: Int?) throws -> LaunchHosts {
        let ports: [Int]
        if let portBase {
            ports = (0..<count).map { portBase + $0 }
            try LoopbackPorts.checkFree(ports)
        } else {
            ports = try LoopbackPorts.free(count)
        }
        return LaunchHosts(hosts: ports.map { Host(ssh: nil, ip: "127.0.0.1", port: $0) })
    }

    static func fromHostfile(_ path: String, portBase: Int) throws -> LaunchHosts {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read hostfile '\(path)': missing or unreadable")
        }
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
            throw InputError("hostfile '\(path)' is not a JSON list of {\"ssh\": host, \"ips\": [ip, …]}")
        }
        guard !list.isEmpty, list.count <= 64 else { throw InputError("hostfile '\(path)' lists \(list.count) hosts; expected 1...64") }
        guard (1...65_535).contains(portBase) else { throw InputError("--port-base \(portBase) is not a TCP port") }
        let hosts = try list.enumerated().map { index, entry -> Host in
            guard let object = entry as? [String: Any], let ssh = object["ssh"] as? String, !ssh.isEmpty,
                  let ips = object["ips"] as? [String], let ip = ips.first, !ip.isEmpty else {
                throw InputError("hostfile '\(path)': host \(index) needs \"ssh\" (a host name) and \"ips\" (a non-empty list of addresses)")
            }
            guard ssh.allSatisfy({ $0.isLetter || $0.isNumber || "-._@:".contains($0) }) else {
                throw InputError("hostfile '\(path)': host \(index) has an unusable ssh name '\(MessageText.value(ssh))'")
            }
            return Host(ssh: ssh, ip: ip, port: portBase + index)
        }
        return LaunchHosts(hosts: hosts)
    }

    /// The JSON MLX's ring backend reads from MLX_HOSTFILE.
    var ringHostfile: String {
        "[" + hosts.map { "[\"\($0.ip):\($0.port)\"]" }.joined(separator: ", ") + "]"
    }
}
