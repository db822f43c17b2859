package dev.jjf.attach;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Sends SIGQUIT, which makes a HotSpot JVM look for the attach trigger file. */
@FunctionalInterface
interface QuitSignal {
    long KILL_TIMEOUT_SECONDS = 10;

    void send(long pid) throws IOException;

    /**
     * Runs {@code kill -QUIT}: Java itself can only send SIGTERM and SIGKILL
     * ({@link ProcessHandle#destroy()}), and a JNI or FFM call would be more than one signal is worth.
     */
    QuitSignal KILL_COMMAND = pid -> {
        Process p = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("kill -QUIT " + pid + " did not finish within " + KILL_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("kill -QUIT " + pid + " failed" + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling pid " + pid, e);
        }
    };
}
