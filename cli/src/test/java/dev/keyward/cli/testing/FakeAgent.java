package dev.keyward.cli.testing;

import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An ssh-agent that cannot hold certificates, as some agents (hardware-key agents among them) behave: it stores plain
 * Ed25519 keys and lists them, and answers SSH_AGENT_FAILURE to adding a certificate. It serves the agent protocol
 * on a Unix socket from a thread of the test's JVM (so its process is the test's own); it cannot sign.
 */
public final class FakeAgent implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread thread;
    private final Path socket;
    /** Blobs it holds. */
    public final List<byte[]> held = new CopyOnWriteArrayList<>();
    /** The key types it was asked to add, in order. */
    public final List<String> addRequests = new CopyOnWriteArrayList<>();

    private FakeAgent(ServerSocketChannel server, Path socket) {
        this.server = server;
        this.socket = socket;
        this.thread = new Thread(this::serve, "fake-ssh-agent");
        thread.setDaemon(true);
        thread.start();
    }

    public static FakeAgent start(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        return new FakeAgent(s, socket);
    }

    public Path socket() {
        return socket;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                while (true) {
                    ByteBuffer len = ByteBuffer.allocate(4);
                    if (!readFully(c, len)) {
                        break;
                    }
                    ByteBuffer body = ByteBuffer.allocate(len.flip().getInt());
                    if (!readFully(c, body)) {
                        break;
                    }
                    byte[] answer = answer(body.array());
                    c.write(ByteBuffer.allocate(4 + answer.length).putInt(answer.length).put(answer).flip());
                }
            } catch (IOException | RuntimeException e) {
                // closed by the test, or a client went away mid-message: serve the next one
            }
        }
    }

    private byte[] answer(byte[] msg) {
        SshReader r = new SshReader(msg, "agent request");
        int type = r.byte8("type");
        switch (type) {
            case 11 -> {
                SshWriter w = new SshWriter().bytes(new byte[] {12}).uint32(held.size());
                held.forEach(b -> w.string(b).string("fake"));
                return w.toByteArray();
            }
            case 17, 25 -> {
                String keyType = r.utf8("key type");
                addRequests.add(keyType);
                if (!keyType.equals("ssh-ed25519")) {
                    return new byte[] {5}; // SSH_AGENT_FAILURE: no certificates (and no other key types) here
                }
                byte[] blob = new SshWriter().string(keyType).string(r.string("A")).toByteArray();
                if (held.stream().noneMatch(b -> Arrays.equals(b, blob))) {
                    held.add(blob);
                }
                return new byte[] {6};
            }
            case 18 -> {
                byte[] blob = r.string("key blob");
                return new byte[] {(byte) (held.removeIf(b -> Arrays.equals(b, blob)) ? 6 : 5)};
            }
            default -> {
                return new byte[] {5};
            }
        }
    }

    private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        thread.join(5000);
        Files.deleteIfExists(socket);
    }
}
