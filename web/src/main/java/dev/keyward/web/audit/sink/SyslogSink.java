package dev.keyward.web.audit.sink;

import dev.keyward.web.audit.CheckpointDao;
import dev.keyward.web.config.AuditConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Sends each checkpoint line to a syslog collector as an RFC 5424 message (facility auth, severity notice,
 * APP-NAME {@code keyward}, MSGID {@code audit-checkpoint}, the line as MSG): one datagram each over UDP
 * (RFC 5426), or over one TCP connection with octet-counting framing (RFC 6587 section 3.4.1), reconnected after a
 * failure. UDP cannot tell whether a message arrived; TCP fails the write, and the follower sends it again.
 * <p>
 * A collector that keeps the message text (rsyslog, syslog-ng, journald's remote) keeps the line whole, so
 * {@code keyward-server audit verify --checkpoints} reads an exported log as it reads the checkpoint file.
 */
public final class SyslogSink implements CheckpointSink {
    /** facility auth (4) * 8 + severity notice (5), RFC 5424 section 6.2.1. */
    static final int PRI = 4 * 8 + 5;
    private static final int TIMEOUT_MS = 5000;

    private final AuditConfig.Syslog target;
    private final String hostname;
    private final long pid = ProcessHandle.current().pid();
    private Socket tcp;

    public SyslogSink(AuditConfig.Syslog target) {
        this.target = target;
        this.hostname = localHostname();
    }

    @Override
    public String kind() {
        return "syslog";
    }

    @Override
    public String describe() {
        return "syslog " + target;
    }

    /** Syslog keeps nothing this server can read back: start with the checkpoints taken from now on. */
    @Override
    public long position(CheckpointDao dao) {
        return dao.maxId();
    }

    @Override
    public synchronized void write(List<String> lines) throws IOException {
        if (target.transport().equals("udp")) {
            try (DatagramSocket socket = new DatagramSocket()) {
                InetSocketAddress to = new InetSocketAddress(target.host(), target.port());
                for (String line : lines) {
                    byte[] m = message(line);
                    socket.send(new DatagramPacket(m, m.length, to));
                }
            }
            return;
        }
        try {
            if (tcp == null) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(target.host(), target.port()), TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                tcp = s;
            }
            OutputStream out = tcp.getOutputStream();
            for (String line : lines) {
                byte[] m = message(line);
                out.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
                out.write(m);
            }
            out.flush();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** {@code <PRI>1 TIMESTAMP HOSTNAME keyward PROCID audit-checkpoint - LINE} (RFC 5424 section 6). */
    byte[] message(String line) {
        return ("<" + PRI + ">1 " + Instant.now().truncatedTo(ChronoUnit.MICROS) + " " + hostname + " keyward " + pid
                + " audit-checkpoint - " + line).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException e) {
                // closing a broken connection
            }
            tcp = null;
        }
    }

    /** The host's name as RFC 5424 wants it (printable US-ASCII, at most 255), or "-" (the NILVALUE). */
    private static String localHostname() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h.isEmpty() || h.length() > 255 || !h.chars().allMatch(c -> c > 32 && c < 127) ? "-" : h;
        } catch (IOException e) {
            return "-";
        }
    }
}
