package dev.jjf.attach;

import dev.jjf.BadInputException;
import dev.jjf.io.MapsLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Sends operations to a running HotSpot JVM through its dynamic-attach socket, as jcmd does, in
 * plain Java: no jdk.attach module, no helper binary. Works for a JVM in a container (another pid
 * and mount namespace) by reaching its files through {@code /proc/<pid>/root} and {@code /proc/<pid>/cwd}.
 *
 * <p>Before anything is sent, the target must be a process of our own user that maps
 * {@code libjvm.so}. Starting the attach listener takes a SIGQUIT, which kills a process that does
 * not handle it: so a process that is not a JVM is refused rather than tried and timed out.
 */
public final class AttachClient {
    /** How long to wait for the attach socket after SIGQUIT, unless told otherwise. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 10_000;
    static final long FIRST_POLL_MILLIS = 10;
    static final long MAX_POLL_MILLIS = 250;
    private static final Path PROC = Path.of("/proc");
    /** HotSpot's os::get_temp_directory() on Linux; java.io.tmpdir does not move it. */
    private static final String JVM_TMP = "tmp";

    private final Path procRoot;
    private final long ourUid;
    private final QuitSignal quit;
    private final long timeoutMillis;

    /** A client that waits up to {@code timeoutMillis} for a JVM to open its attach socket. */
    public AttachClient(long timeoutMillis) {
        this(PROC, ownEffectiveUid(), QuitSignal.KILL_COMMAND, timeoutMillis);
    }

    AttachClient(Path procRoot, long ourUid, QuitSignal quit, long timeoutMillis) {
        if (timeoutMillis <= 0) throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis + " ms");
        this.procRoot = procRoot;
        this.ourUid = ourUid;
        this.quit = Objects.requireNonNull(quit);
        this.timeoutMillis = timeoutMillis;
    }

    /** Checks that {@code pid} is a HotSpot JVM we may attach to; nothing is sent to it. */
    public AttachTarget target(long pid) {
        ProcStatus status = ownProcess(pid, "HotSpot only answers its own user");
        if (status.tgid() != pid) return target(status.tgid());
        Path dir = procDir(pid);
        if (!mapsLibjvm(pid, dir)) {
            throw new BadInputException(null, "pid " + pid + " (" + status.name() + ") is not a HotSpot JVM: it does not map libjvm.so");
        }
        return new AttachTarget(pid, status.nsTgid(), status.name(), otherMountNamespace(dir));
    }

    /** Resolves {@code pid} and runs one attach operation on it. */
    public AttachResponse execute(long pid, String operation, String... args) {
        return execute(target(pid), operation, args);
    }

    /**
     * Runs one attach operation ({@code jcmd}, {@code threaddump}, {@code load}, …) with up to three
     * arguments. Starts the JVM's attach listener first when it is not running yet.
     */
    public AttachResponse execute(AttachTarget target, String operation, String... args) {
        List<String> argList = List.of(args);
        try {
            AttachProtocol.encode(operation, argList); // refuse bad input before signalling anyone
        } catch (IllegalArgumentException e) {
            throw new BadInputException(null, operation + ": " + e.getMessage());
        }
        long startNanos = System.nanoTime();
        Path dir = procDir(target.pid());
        Path socket = dir.resolve("root").resolve(JVM_TMP).resolve(".java_pid" + target.nsPid());
        try (SocketChannel channel = connect(target, socket, startNanos)) {
            return AttachProtocol.exchange(channel, operation, argList);
        } catch (IOException e) {
            throw new BadInputException(null, target.describe() + ": attach operation '" + operation + "' failed: " + e.getMessage(), e);
        }
    }

    private SocketChannel connect(AttachTarget target, Path socket, long startNanos) throws IOException {
        SocketChannel channel = tryConnect(socket);
        if (channel != null) return channel;
        // Re-read: the JVM may have exited, or reset its handlers, since target() looked.
        ProcStatus status = status(target.pid());
        if (!status.quitCaught()) {
            throw new BadInputException(null, target.describe() + " does not handle SIGQUIT (started with -Xrs, or not finished"
                    + " starting): jjf will not send it, because it would kill the process");
        }
        Path trigger = createTrigger(target);
        try {
            quit.send(target.pid());
            long pollMillis = FIRST_POLL_MILLIS;
            while (true) {
                channel = tryConnect(socket);
                if (channel != null) return channel;
                long waitedMillis = (System.nanoTime() - startNanos) / 1_000_000;
                if (!Files.isDirectory(procDir(target.pid()))) {
                    throw new BadInputException(null, target.describe() + " exited while jjf waited for its attach socket");
                }
                if (waitedMillis >= timeoutMillis) {
                    throw new BadInputException(null, target.describe() + " did not open its attach socket within "
                            + seconds(timeoutMillis) + String.format(Locale.ROOT, " (waited %.1f s;", waitedMillis / 1000.0)
                            + " started with -XX:+DisableAttachMechanism? if it is just busy, try a longer --timeout)");
                }
                sleep(Math.min(pollMillis, timeoutMillis - waitedMillis));
                pollMillis = Math.min(pollMillis * 2, MAX_POLL_MILLIS);
            }
        } finally {
            if (trigger != null) deleteQuietly(trigger);
        }
    }

    /** A connected channel, or null while the JVM has no listening socket (absent, or left over from a dead JVM). */
    private SocketChannel tryConnect(Path socket) throws IOException {
        if (!Files.exists(socket)) return null;
        long owner = ((Number) Files.getAttribute(socket, "unix:uid")).longValue();
        if (owner != ourUid) {
            // Anyone can create files in /tmp: a socket the JVM's user (ours, checked in target()) did
            // not make is not the JVM's, and the operation's arguments are none of its business.
            throw new BadInputException(null, socket + " belongs to uid " + owner + ", not to the JVM's uid " + ourUid
                    + "; not talking to it");
        }
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            return null;
        }
    }

    /**
     * Creates {@code .attach_pid<nspid>} where HotSpot looks for it on SIGQUIT: its working directory,
     * then its /tmp. Returns null when the file was already there (another attach in progress):
     * then it is not ours to delete.
     */
    private Path createTrigger(AttachTarget target) throws IOException {
        String name = ".attach_pid" + target.nsPid();
        Path dir = procDir(target.pid());
        List<Path> candidates = List.of(dir.resolve("cwd").resolve(name), dir.resolve("root").resolve(JVM_TMP).resolve(name));
        IOException first = null;
        for (Path p : candidates) {
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                return null;
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        throw new BadInputException(null, target.describe() + ": cannot create the attach trigger file " + name
                + " in its working directory or /tmp: " + first);
    }

    /** A trigger left behind only matters to the next SIGQUIT, which then starts the listener anyway. */
    private static void deleteQuietly(Path trigger) {
        try {
            Files.deleteIfExists(trigger);
        } catch (IOException ignored) {
            // see above
        }
    }

    /**
     * The status of {@code pid} (or of its process, for a thread id), after checking that it runs as
     * our user; {@code why} ends the refusal ("HotSpot only answers its own user").
     */
    ProcStatus ownProcess(long pid, String why) {
        if (pid <= 0) throw new BadInputException(null, "not a process id: " + pid);
        ProcStatus status = status(pid);
        // A thread id: /proc shows threads too, but the attach files are named after the process.
        if (status.tgid() != pid) return ownProcess(status.tgid(), why);
        if (status.effectiveUid() != ourUid) {
            throw new BadInputException(null, "pid " + pid + " (" + status.name() + ") runs as " + userName(procDir(pid), status.effectiveUid())
                    + " and jjf as uid " + ourUid + "; " + why + ": run jjf as that user (sudo -u '#"
                    + status.effectiveUid() + "' …)");
        }
        return status;
    }

    /** Whether {@code pid} maps HotSpot's {@code libjvm.so}. */
    boolean isHotSpot(long pid) {
        return mapsLibjvm(pid, procDir(pid));
    }

    /** {@code /proc/<pid>} as this client reaches it. */
    Path procDir(long pid) {
        return procRoot.resolve(Long.toString(pid));
    }

    /** Whether a path {@code pid} opens resolves in another file-system view than ours. */
    boolean otherMountNamespace(long pid) {
        return otherMountNamespace(procDir(pid));
    }

    private ProcStatus status(long pid) {
        Path file = procDir(pid).resolve("status");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException(null, "no process with pid " + pid);
        } catch (IOException e) {
            throw new BadInputException(null, "cannot read " + file + ": " + e.getMessage());
        }
        ProcStatus status = ProcStatus.parse(text);
        if (status == null) throw new BadInputException(file, "no Tgid, Uid or SigCgt line: not a Linux process status file");
        return status;
    }

    private static boolean mapsLibjvm(long pid, Path dir) {
        Path maps = dir.resolve("maps");
        try (BufferedReader r = Files.newBufferedReader(maps, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                MapsLine m = MapsLine.parse(line);
                if (m != null && m.path().endsWith("/libjvm.so")) return true;
            }
            return false;
        } catch (NoSuchFileException e) {
            throw new BadInputException(null, "no process with pid " + pid);
        } catch (AccessDeniedException e) {
            throw new BadInputException(null, "cannot read " + maps + ": permission denied");
        } catch (IOException e) {
            throw new BadInputException(null, "cannot read " + maps + ": " + e.getMessage());
        }
    }

    private boolean otherMountNamespace(Path dir) {
        try {
            return !Files.readSymbolicLink(procRoot.resolve("self/ns/mnt")).equals(Files.readSymbolicLink(dir.resolve("ns/mnt")));
        } catch (IOException | UnsupportedOperationException e) {
            return false; // cannot tell: paths are most likely shared
        }
    }

    private static String userName(Path dir, long uid) {
        try {
            String name = Files.getOwner(dir).getName();
            return name.equals(Long.toString(uid)) ? "uid " + uid : "user " + name + " (uid " + uid + ")";
        } catch (IOException e) {
            return "uid " + uid;
        }
    }

    private static long ownEffectiveUid() {
        try {
            ProcStatus self = ProcStatus.parse(Files.readString(PROC.resolve("self/status"), StandardCharsets.UTF_8));
            if (self != null) return self.effectiveUid();
        } catch (IOException e) {
            // fall through: no Linux /proc
        }
        throw new BadInputException(null, "dynamic attach needs Linux's /proc, which this system does not have");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException(null, "interrupted while waiting for the attach socket");
        }
    }

    /** "10 s", "1.5 s": the user gave seconds, so say seconds. */
    static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
