import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// nginx with nchan on 127.0.0.1, the peer `--bus nchan` measures in the gateway's place:
/// Debian's `nginx` and `libnginx-mod-nchan` (`apt-get install -y nginx libnginx-mod-nchan`; keep
/// the packaged service stopped), started as a child of the benchmark with a generated
/// configuration in a scratch folder (`nginx -p <folder> -c <folder>/nginx.conf`): `daemon off`,
/// one worker process, nchan's module loaded from `/usr/lib/nginx/modules/`, its Redis store on
/// the benchmark's `redis-server` in `nostore` mode, and `location ~ /sub/(\w+)$` with
/// `nchan_subscriber websocket; nchan_channel_id $1;`.
///
/// The worker process does all the relaying; its CPU time and memory are nchan's
/// (``measuredPID``). ``stop()`` (also on deinit) ends both processes and deletes the folder.
final class NchanProcess: RelayProcess {
    let port: Int
    let directory: URL
    private let process = Process()
    /// The worker process (one), found as the master's child.
    private(set) var workerPID: Int32 = 0

    var masterPID: Int32 { process.processIdentifier }
    var measuredPID: Int32 { workerPID }
    var pids: [Int32] { [masterPID, workerPID] }
    var folders: [URL] { [directory] }

    /// The nchan module Debian installs.
    static let modulePath = "/usr/lib/nginx/modules/ngx_nchan_module.so"

    /// Starts nginx and waits (at most 30 s) until it accepts connections and its worker is up.
    init(nginx: String, redisPort: Int, maxConnections: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: nginx), FileManager.default.fileExists(atPath: Self.modulePath)
        else {
            throw BenchmarkError(
                message: "--bus nchan needs \(nginx) and \(Self.modulePath): apt-get install -y nginx libnginx-mod-nchan")
        }
        port = GatewayProcess.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aws-realtime-bench-nchan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("nginx.conf")
        try Self.configuration(directory: directory.path, port: port, redisPort: redisPort, maxConnections: maxConnections)
            .write(to: configuration, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", directory.path + "/", "-c", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while workerPID == 0, process.isRunning, Date() < deadline {
            workerPID = Self.children(of: masterPID).first ?? 0
            if workerPID == 0 { usleep(50_000) }
        }
        guard workerPID != 0, GatewayProcess.waitForPort(port, timeout: max(1, deadline.timeIntervalSinceNow)) else {
            let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
            stop()
            throw BenchmarkError(message: "nginx did not start on \(port): \(log.suffix(500))")
        }
    }

    deinit { stop() }

    /// SIGTERM (nginx's fast shutdown), SIGKILL after 5 s, then deletes the folder. Safe to call
    /// more than once.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(masterPID, SIGKILL) }
            process.waitUntilExit()
        }
        // A worker outlives a killed master: end it too if it is still the master's orphan.
        if workerPID != 0, Self.isNginx(workerPID) { kill(workerPID, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The generated `nginx.conf`: everything nginx writes stays in `directory`.
    static func configuration(directory: String, port: Int, redisPort: Int, maxConnections: Int) -> String {
        """
        load_module \(modulePath);
        daemon off;
        master_process on;
        worker_processes 1;
        worker_rlimit_nofile \(2 * maxConnections + 1_000);
        pid \(directory)/nginx.pid;
        error_log \(directory)/error.log warn;
        events {
            worker_connections \(maxConnections + 1_000);
        }
        http {
            access_log off;
            client_body_temp_path \(directory)/client_body;
            proxy_temp_path \(directory)/proxy;
            fastcgi_temp_path \(directory)/fastcgi;
            uwsgi_temp_path \(directory)/uwsgi;
            scgi_temp_path \(directory)/scgi;
            server {
                listen 127.0.0.1:\(port);
                location ~ /sub/(\\w+)$ {
                    nchan_subscriber websocket;
                    nchan_channel_id $1;
                    nchan_use_redis on;
                    nchan_redis_url redis://127.0.0.1:\(redisPort);
                    nchan_redis_storage_mode nostore;
                }
            }
        }

        """
    }

    /// Processes whose parent is `pid` (scanning `/proc/<pid>/stat`: field 4 is the parent).
    static func children(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> Int32? in
            guard let child = Int32(entry),
                let text = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = text.lastIndex(of: ")")
            else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    /// Whether `pid` is (still) an nginx process.
    static func isNginx(_ pid: Int32) -> Bool {
        let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
        return name.hasPrefix("nginx")
    }
}
