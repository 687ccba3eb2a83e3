package dev.keyward.cli.ssh;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client of the ssh-agent protocol (draft-ietf-sshm-ssh-agent; OpenSSH's PROTOCOL.agent) over the Unix socket in
 * {@code SSH_AUTH_SOCK}, for the three requests the CLI makes: list identities, add an identity with a lifetime,
 * remove one. It is how an in-memory key reaches the agent without touching the disk, a pipe or a command line,
 * and it tells an agent that refuses a certificate (its answer) from one that accepts and drops it (its list).
 * Every exchange has a deadline: a hung agent gives an error, not a hung CLI.
 */
public final class AgentClient implements AutoCloseable {
    static final int SSH_AGENT_FAILURE = 5;
    static final int SSH_AGENT_SUCCESS = 6;
    static final int SSH2_AGENTC_REQUEST_IDENTITIES = 11;
    static final int SSH2_AGENT_IDENTITIES_ANSWER = 12;
    static final int SSH2_AGENTC_REMOVE_IDENTITY = 18;
    static final int SSH2_AGENTC_ADD_ID_CONSTRAINED = 25;
    static final int SSH_AGENT_CONSTRAIN_LIFETIME = 1;
    /** OpenSSH's ssh-agent refuses messages over 256 KiB (AGENT_MAX_LEN); so do we. */
    static final int MAX_MESSAGE = 256 * 1024;

    /** One key the agent holds: its public-key or certificate blob and comment. */
    public record Identity(byte[] blob, String comment) {
    }

    private final SocketChannel channel;
    private final Selector selector;
    private final Path socket;
    private final Duration timeout;

    private AgentClient(SocketChannel channel, Selector selector, Path socket, Duration timeout) {
        this.channel = channel;
        this.selector = selector;
        this.socket = socket;
        this.timeout = timeout;
    }

    /** Connects to the agent at {@code socket}; an {@link InvalidInputException} naming it when that fails. */
    public static AgentClient connect(Path socket, Duration timeout) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            return new AgentClient(ch, sel, socket, timeout);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw new InvalidInputException("cannot reach ssh-agent at " + socket + " (SSH_AUTH_SOCK): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** {@code SSH2_AGENTC_REQUEST_IDENTITIES}: what the agent holds. */
    public List<Identity> identities() {
        SshReader r = exchange(new byte[] {(byte) SSH2_AGENTC_REQUEST_IDENTITIES});
        int type = r.byte8("message type");
        if (type != SSH2_AGENT_IDENTITIES_ANSWER) {
            throw new InvalidInputException("ssh-agent at " + socket + " did not list its keys (answer " + type + ")");
        }
        long n = r.uint32("number of keys");
        List<Identity> ids = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            ids.add(new Identity(r.string("key blob"), r.utf8("comment")));
        }
        return ids;
    }

    /**
     * {@code SSH2_AGENTC_ADD_ID_CONSTRAINED} with a lifetime: {@code keyFields} is the key type followed by its
     * private fields, as the protocol lays them out per key type (section 4.2.x). The message holding them is
     * zeroed after it is sent. True when the agent answers {@code SSH_AGENT_SUCCESS}.
     */
    public boolean add(byte[] keyFields, String comment, Duration lifetime) {
        byte[] c = comment.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long seconds = Math.min(0xFFFF_FFFFL, Math.max(1, lifetime.toSeconds()));
        byte[] msg = new byte[1 + keyFields.length + 4 + c.length + 1 + 4];
        ByteBuffer b = ByteBuffer.wrap(msg);
        b.put((byte) SSH2_AGENTC_ADD_ID_CONSTRAINED).put(keyFields).putInt(c.length).put(c)
                .put((byte) SSH_AGENT_CONSTRAIN_LIFETIME).putInt((int) seconds);
        try {
            return success(exchange(msg));
        } finally {
            Arrays.fill(msg, (byte) 0);
        }
    }

    /** {@code SSH2_AGENTC_REMOVE_IDENTITY}: true when the agent held {@code blob} and removed it. */
    public boolean remove(byte[] blob) {
        byte[] msg = new SshWriter().bytes(new byte[] {(byte) SSH2_AGENTC_REMOVE_IDENTITY}).string(blob).toByteArray();
        return success(exchange(msg));
    }

    private static boolean success(SshReader r) {
        // SSH_AGENT_FAILURE, and the SSH2_AGENT_FAILURE (30) and SSH_COM_AGENT2_FAILURE (102) of older agents
        return r.byte8("message type") == SSH_AGENT_SUCCESS;
    }

    /** Sends one message (length-prefixed) and reads one answer, both within the deadline. */
    private SshReader exchange(byte[] message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer out = ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip();
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(SelectionKey.OP_WRITE, deadline);
                }
            }
            ByteBuffer len = ByteBuffer.allocate(4);
            readFully(len, deadline);
            int n = len.flip().getInt();
            if (n <= 0 || n > MAX_MESSAGE) {
                throw new InvalidInputException("ssh-agent at " + socket + " sent a malformed answer (length " + n
                        + ")");
            }
            ByteBuffer body = ByteBuffer.allocate(n);
            readFully(body, deadline);
            return new SshReader(body.array(), "the answer of ssh-agent at " + socket);
        } catch (IOException e) {
            throw new InvalidInputException("ssh-agent at " + socket + " broke the connection: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            Arrays.fill(out.array(), (byte) 0);
        }
    }

    private void readFully(ByteBuffer buf, long deadline) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf);
            if (n < 0) {
                throw new IOException("it closed the connection");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
    }

    private void await(int op, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        SelectionKey key = channel.register(selector, op);
        try {
            if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new InvalidInputException("ssh-agent at " + socket + " did not answer within "
                            + timeout.toSeconds() + " s");
                }
            }
        } finally {
            key.interestOps(0);
            selector.selectedKeys().clear();
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing a selector of ours cannot lose data
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was pending on it
            }
        }
    }
}
