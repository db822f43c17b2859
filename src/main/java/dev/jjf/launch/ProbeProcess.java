package dev.jjf.launch;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs small helper commands (probe JVMs, ldconfig, a preloaded /bin/true) with a time limit and
 * bounded output, so a child that hangs or floods its pipe cannot hang jjf.
 */
public final class ProbeProcess {
    /** Enough for jemalloc's whole statistics report; anything past it is read and dropped. */
    private static final int MAX_OUTPUT = 1 << 20;

    /** How the command ended, what it printed (stdout and stderr merged), and its pid. */
    public record Result(int exitCode, String output, long pid) {
    }

    private ProbeProcess() {
    }

    /**
     * Runs {@code command} with stdout and stderr merged.
     *
     * @param envChanges variables to set in the inherited environment; a null value removes one
     */
    public static Result run(List<String> command, Map<String, String> envChanges, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        envChanges.forEach((k, v) -> {
            if (v == null) env.remove(k); else env.put(k, v);
        });
        Process p = pb.start();
        // Drained on its own thread so that a child which fills the pipe cannot stall the timeout.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), ProbeProcess::daemon);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS), p.pid());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + command.get(0) + " failed", e.getCause());
        } catch (TimeoutException e) {
            // The child exited but something it started still holds the pipe open.
            throw new IOException("output of " + command.get(0) + " did not end within " + timeout.toSeconds() + " s");
        }
    }

    private static void daemon(Runnable task) {
        Thread t = new Thread(task, "jjf-process-output");
        t.setDaemon(true);
        t.start();
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                int room = MAX_OUTPUT - kept.size();
                if (room > 0) kept.write(buf, 0, Math.min(n, room));
            }
            return kept.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
