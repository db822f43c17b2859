package dev.jjf.attach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request and answer of HotSpot's attach protocol, against a fake JVM on a UNIX socket. */
class AttachProtocolTest {
    private static final long SERVER_TIMEOUT_SECONDS = 10;
    /** Version, operation and three arguments: HotSpot reads exactly five NUL-terminated strings. */
    private static final int REQUEST_STRINGS = 5;

    @TempDir
    Path dir;

    @Test
    void requestIsVersionOperationAndAlwaysThreeArguments() {
        assertArrayEquals("1\0jcmd\0VM.version\0\0\0".getBytes(StandardCharsets.UTF_8),
                AttachProtocol.encode("jcmd", List.of("VM.version")));
        assertArrayEquals("1\0threaddump\0\0\0\0".getBytes(StandardCharsets.UTF_8),
                AttachProtocol.encode("threaddump", List.of()));
        assertArrayEquals("1\0load\0/a b/lib.so\0true\0k=v\0".getBytes(StandardCharsets.UTF_8),
                AttachProtocol.encode("load", List.of("/a b/lib.so", "true", "k=v")));
    }

    @Test
    void refusesWhatHotSpotWouldDrop() {
        assertThrows(IllegalArgumentException.class, () -> AttachProtocol.encode("jcmd", List.of("a", "b", "c", "d")));
        assertThrows(IllegalArgumentException.class, () -> AttachProtocol.encode("jcmd", List.of("x".repeat(AttachProtocol.MAX_ARG_BYTES + 1))));
        assertThrows(IllegalArgumentException.class, () -> AttachProtocol.encode("a-much-too-long-operation", List.of()));
        assertThrows(IllegalArgumentException.class, () -> AttachProtocol.encode("jcmd", List.of("a\0b")));
        assertEquals(2 + 4 + 1 + AttachProtocol.MAX_ARG_BYTES + 1 + 2,
                AttachProtocol.encode("jcmd", List.of("x".repeat(AttachProtocol.MAX_ARG_BYTES))).length);
    }

    @Test
    void exchangesWithAFakeJvm() throws Exception {
        FakeJvm jvm = fakeJvm("0\nOpenJDK 64-Bit Server VM version 17\nJDK 17\n");
        try (SocketChannel c = SocketChannel.open(jvm.address)) {
            AttachResponse r = AttachProtocol.exchange(c, "jcmd", List.of("VM.version"));
            assertEquals(0, r.status());
            assertTrue(r.ok());
            assertEquals("OpenJDK 64-Bit Server VM version 17\nJDK 17\n", r.output());
        }
        assertEquals("1\0jcmd\0VM.version\0\0\0", jvm.request.get(SERVER_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void failureStatusAndMessageComeBack() throws Exception {
        FakeJvm jvm = fakeJvm("-1\njava.lang.IllegalArgumentException: Unknown diagnostic command\n");
        try (SocketChannel c = SocketChannel.open(jvm.address)) {
            AttachResponse r = AttachProtocol.exchange(c, "jcmd", List.of("Nope"));
            assertEquals(-1, r.status());
            assertEquals("java.lang.IllegalArgumentException: Unknown diagnostic command\n", r.output());
        }
    }

    @Test
    void largeOutputArrivesWhole() throws Exception {
        String big = "\"main\" #1 prio=5\n".repeat(50_000);
        FakeJvm jvm = fakeJvm("0\n" + big);
        try (SocketChannel c = SocketChannel.open(jvm.address)) {
            assertEquals(big, AttachProtocol.exchange(c, "threaddump", List.of()).output());
        }
    }

    @Test
    void answersWithoutAStatusAreProtocolErrors() throws Exception {
        for (String answer : List.of("", "\n", "Heap dump file created\n")) {
            FakeJvm jvm = fakeJvm(answer);
            try (SocketChannel c = SocketChannel.open(jvm.address)) {
                IOException e = assertThrows(IOException.class, () -> AttachProtocol.exchange(c, "properties", List.of()));
                assertTrue(e.getMessage().contains("JVM"), e.getMessage());
            }
        }
    }

    @Test
    void statusWithoutOutput() throws IOException {
        assertEquals(new AttachResponse(0, ""), AttachProtocol.decode("0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(new AttachResponse(-1, "x"), AttachProtocol.decode("-1\nx".getBytes(StandardCharsets.UTF_8)));
    }

    record FakeJvm(UnixDomainSocketAddress address, CompletableFuture<String> request) {
    }

    /** Accepts one connection, reads a whole request as HotSpot does, answers, and closes. */
    private FakeJvm fakeJvm(String answer) throws IOException {
        Path socket = dir.resolve("s" + System.nanoTime());
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer one = ByteBuffer.allocate(1);
                int nuls = 0;
                while (nuls < REQUEST_STRINGS && c.read(one) > 0) {
                    byte b = one.flip().get();
                    one.clear();
                    got.write(b);
                    if (b == 0) nuls++;
                }
                ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) c.write(out);
                return got.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return new FakeJvm(address, request);
    }
}
