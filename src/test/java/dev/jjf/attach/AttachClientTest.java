package dev.jjf.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attach sequence against a fake /proc: which checks come before SIGQUIT, where the trigger
 * file goes, how long the client waits, and what it leaves behind.
 */
class AttachClientTest {
    private static final long HOST_PID = 4617;
    private static final long NS_PID = 7;
    private static final long SHORT_TIMEOUT_MILLIS = 300;
    private static final String JVM_MAPS = "7f0000000000-7f0000100000 r-xp 00000000 08:01 123 /usr/lib/jvm/x/lib/server/libjvm.so\n";

    @TempDir
    Path dir;

    private Path proc;
    private Path cwd;
    private Path tmp;
    private long uid;
    private final List<Long> signalled = new ArrayList<>();
    private final List<ServerSocketChannel> servers = new ArrayList<>();

    @BeforeEach
    void fakeProc() throws IOException {
        proc = dir.resolve("proc");
        Path pidDir = proc.resolve(Long.toString(HOST_PID));
        cwd = Files.createDirectories(pidDir.resolve("cwd"));
        tmp = Files.createDirectories(pidDir.resolve("root/tmp"));
        uid = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
        writeStatus(uid, "0000000000000004");
        Files.writeString(pidDir.resolve("maps"), JVM_MAPS);
    }

    @AfterEach
    void closeServers() throws IOException {
        for (ServerSocketChannel s : servers) s.close();
    }

    private void writeStatus(long ownerUid, String sigCgt) throws IOException {
        Files.writeString(proc.resolve(HOST_PID + "/status"), "Name:\tjava\nTgid:\t" + HOST_PID + "\nUid:\t" + ownerUid + "\t" + ownerUid
                + "\t" + ownerUid + "\t" + ownerUid + "\nNStgid:\t" + HOST_PID + "\t" + NS_PID + "\nSigCgt:\t" + sigCgt + "\n");
    }

    private AttachClient client(QuitSignal quit, long timeoutMillis) {
        return new AttachClient(proc, uid, pid -> {
            signalled.add(pid);
            quit.send(pid);
        }, timeoutMillis);
    }

    /** What a JVM does on SIGQUIT when it finds the trigger file: starts listening, then answers once. */
    private QuitSignal jvmThatListens(String answer) {
        return pid -> {
            assertTrue(Files.exists(cwd.resolve(".attach_pid" + NS_PID)), "trigger file in the JVM's working directory, named by its namespace pid");
            listen(answer);
        };
    }

    private void listen(String answer) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(tmp.resolve(".java_pid" + NS_PID)));
        servers.add(server);
        Thread t = new Thread(() -> {
            try (SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(4096));
                c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    void triggersTheListenerThenTalksAndCleansUp() {
        AttachClient attach = client(jvmThatListens("0\nJDK 17\n"), AttachClient.DEFAULT_TIMEOUT_MILLIS);
        AttachTarget target = attach.target(HOST_PID);
        assertEquals(new AttachTarget(HOST_PID, NS_PID, "java", false), target);
        assertEquals(new AttachResponse(0, "JDK 17\n"), attach.execute(target, "jcmd", "VM.version"));
        assertEquals(List.of(HOST_PID), signalled);
        assertFalse(Files.exists(cwd.resolve(".attach_pid" + NS_PID)), "trigger file removed");
    }

    @Test
    void fallsBackToTheJvmsTmpForTheTrigger() throws IOException {
        Files.delete(cwd); // HotSpot's working directory unreachable: it looks in /tmp next
        AttachClient attach = client(pid -> {
            assertTrue(Files.exists(tmp.resolve(".attach_pid" + NS_PID)));
            listen("0\nok\n");
        }, AttachClient.DEFAULT_TIMEOUT_MILLIS);
        assertEquals("ok\n", attach.execute(HOST_PID, "properties").output());
        assertFalse(Files.exists(tmp.resolve(".attach_pid" + NS_PID)));
    }

    @Test
    void aListeningJvmGetsNoSignal() throws IOException {
        listen("0\nok\n");
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        assertEquals("ok\n", attach.execute(HOST_PID, "threaddump").output());
        assertEquals(List.of(), signalled);
    }

    @Test
    void aSocketLeftByADeadJvmIsReplaced() throws IOException {
        ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(tmp.resolve(".java_pid" + NS_PID)));
        stale.close(); // the file stays, nobody listens
        AttachClient attach = client(pid -> {
            Files.delete(tmp.resolve(".java_pid" + NS_PID));
            listen("0\nfresh\n");
        }, AttachClient.DEFAULT_TIMEOUT_MILLIS);
        assertEquals("fresh\n", attach.execute(HOST_PID, "properties").output());
        assertEquals(List.of(HOST_PID), signalled);
    }

    @Test
    void timesOutWithTheTimeAndLeavesNoTrigger() {
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        long start = System.nanoTime();
        BadInputException e = assertThrows(BadInputException.class, () -> attach.execute(HOST_PID, "jcmd", "VM.version"));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("within 0.3 s"), e.getMessage());
        assertTrue(tookMillis >= SHORT_TIMEOUT_MILLIS && tookMillis < 10 * SHORT_TIMEOUT_MILLIS, tookMillis + " ms");
        assertFalse(Files.exists(cwd.resolve(".attach_pid" + NS_PID)));
        assertEquals(List.of(HOST_PID), signalled);
    }

    @Test
    void aProcessWithoutLibjvmGetsNoSignal() throws IOException {
        Files.writeString(proc.resolve(HOST_PID + "/maps"), "55d0c0a00000-55d0c0a02000 r-xp 00000000 08:01 9 /usr/bin/sleep\n");
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        BadInputException e = assertThrows(BadInputException.class, () -> attach.execute(HOST_PID, "jcmd", "VM.version"));
        assertEquals("pid 4617 (java) is not a HotSpot JVM: it does not map libjvm.so", e.getMessage());
        assertEquals(List.of(), signalled);
        assertFalse(Files.exists(cwd.resolve(".attach_pid" + NS_PID)));
    }

    @Test
    void aJvmWithoutASigquitHandlerGetsNoSignal() throws IOException {
        writeStatus(uid, "2000000101001cc8"); // -Xrs
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        BadInputException e = assertThrows(BadInputException.class, () -> attach.execute(HOST_PID, "jcmd", "VM.version"));
        assertTrue(e.getMessage().contains("does not handle SIGQUIT"), e.getMessage());
        assertEquals(List.of(), signalled);
        assertFalse(Files.exists(cwd.resolve(".attach_pid" + NS_PID)));
    }

    @Test
    void anotherUsersJvmIsRefused() throws IOException {
        writeStatus(uid + 1, "0000000000000004");
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        BadInputException e = assertThrows(BadInputException.class, () -> attach.target(HOST_PID));
        assertTrue(e.getMessage().contains("uid " + (uid + 1)) && e.getMessage().contains("run jjf as that user"), e.getMessage());
        assertEquals(List.of(), signalled);
    }

    @Test
    void missingProcessAndBadPids() {
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        assertEquals("no process with pid 99", assertThrows(BadInputException.class, () -> attach.target(99)).getMessage());
        assertEquals("not a process id: 0", assertThrows(BadInputException.class, () -> attach.target(0)).getMessage());
    }

    @Test
    void aThreadIdMeansItsProcess() throws IOException {
        Path thread = Files.createDirectories(proc.resolve("4620"));
        Files.writeString(thread.resolve("status"), Files.readString(proc.resolve(HOST_PID + "/status")));
        assertEquals(HOST_PID, client(pid -> { }, SHORT_TIMEOUT_MILLIS).target(4620).pid());
    }

    @Test
    void oversizedArgumentsAreRefusedBeforeAnySignal() {
        AttachClient attach = client(pid -> { }, SHORT_TIMEOUT_MILLIS);
        BadInputException e = assertThrows(BadInputException.class, () -> attach.execute(HOST_PID, "jcmd", "x".repeat(2000)));
        assertTrue(e.getMessage().contains("at most 1024"), e.getMessage());
        assertEquals(List.of(), signalled);
    }

    @Test
    void secondsAreWrittenAsTheUserGaveThem() {
        assertEquals("10 s", AttachClient.seconds(10_000));
        assertEquals("2.5 s", AttachClient.seconds(2_500));
    }
}
