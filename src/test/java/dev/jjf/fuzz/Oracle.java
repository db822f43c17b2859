package dev.jjf.fuzz;

import dev.jjf.BadInputException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The contract every reader of untrusted files keeps, checked for one input at a time: the only
 * failure allowed is {@link BadInputException} naming the file; nothing hangs; nothing allocates
 * in proportion to a number read from the file rather than to the file's size.
 *
 * <p>Each input runs on a worker thread so that a hang becomes a failure instead of a stuck
 * build, and so that the allocation counter sees exactly the target's own allocations.
 */
final class Oracle {
    /**
     * Far above anything a few-kilobyte input needs (microseconds): only a loop that does not end
     * gets here, so this is a hang detector, not a speed test.
     */
    static final Duration HANG = Duration.ofSeconds(20);
    /**
     * Buffers every run allocates whatever the input (the profile reader's 1 MiB chunk, the SVG's
     * script). System property {@value #FIXED_BYTES_PROPERTY} lowers it, to see the replay at work.
     */
    static final String FIXED_BYTES_PROPERTY = "jjf.fuzz.fixedBytes";
    static final long FIXED_BYTES = Long.getLong(FIXED_BYTES_PROPERTY, 32L << 20);
    /** Parsed structures, the call tree and the SVG text grow with the input, by this much per input byte at most. */
    static final long BYTES_PER_INPUT_BYTE = 512;

    /** A target that may throw anything; the oracle decides what is allowed. */
    @FunctionalInterface
    interface Target {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static ExecutorService worker = newWorker();

    private Oracle() {
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jjf-fuzz-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** {allocated bytes, what the target threw or null}. */
    private static Object[] runOnWorker(long inputBytes, Target target) {
        Future<Object[]> run = worker.submit(() -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            Throwable thrown = null;
            try {
                target.run();
            } catch (Throwable t) {
                thrown = t;
            }
            return new Object[] {THREADS.getCurrentThreadAllocatedBytes() - before, thrown};
        });
        try {
            return run.get(HANG.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            // The stuck thread may never return; later inputs get a fresh one.
            worker.shutdownNow();
            worker = newWorker();
            throw new AssertionError("no result after " + HANG.toSeconds() + " s for a " + inputBytes
                    + "-byte input: the reader hangs");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("worker failed", e.getCause());
        }
    }

    /**
     * Runs {@code target} on an input of {@code inputBytes} bytes and enforces the contract.
     * Allocation and hangs depend on the JVM the target runs in: under Jazzer, whose instrumentation
     * allocates on the target's thread and slows it, such a finding counts only when {@code which}
     * fails on {@code input} again in a fresh JVM without Jazzer ({@link Replay}).
     *
     * @throws AssertionError naming what broke it; any other throwable from the target is its cause
     */
    static synchronized void check(Targets which, byte[] input, long inputBytes, Target target) {
        long budget = FIXED_BYTES + BYTES_PER_INPUT_BYTE * inputBytes;
        Object[] result;
        try {
            result = runOnWorker(inputBytes, target);
            if ((Long) result[0] > budget) {
                // The first input to reach a class pays for loading it (and for Jazzer instrumenting it)
                // on this thread; targets are deterministic, so a second run measures only the input.
                result = runOnWorker(inputBytes, target);
            }
        } catch (AssertionError hang) {
            if (Replay.confirms(which, input, hang)) throw hang;
            return;
        }
        long allocated = (Long) result[0];
        Throwable thrown = (Throwable) result[1];
        if (allocated > budget) {
            AssertionError finding = new AssertionError("allocated " + allocated + " bytes for a " + inputBytes
                    + "-byte input (budget " + budget + "): an allocation follows a number in the input"
                    + (thrown == null ? "" : "; it also threw " + thrown), thrown);
            if (Replay.confirms(which, input, finding)) throw finding;
            // Jazzer's instrumentation allocated it, not the reader; the rest of the contract still holds.
            allocated = 0;
        }
        if (thrown == null) return;
        if (thrown instanceof BadInputException bad) {
            if (bad.getMessage() == null || bad.getMessage().isBlank()) {
                throw new AssertionError("BadInputException without a message", bad);
            }
            if (bad.file() == null) {
                throw new AssertionError("BadInputException that names no file: " + bad.getMessage(), bad);
            }
            // Readers wrap unexpected runtime exceptions as a last line of defence; reaching it
            // means a bounds check is missing.
            if (bad.getCause() instanceof RuntimeException || bad.getCause() instanceof Error) {
                throw new AssertionError("caught only by a safety net: " + bad.getCause(), bad);
            }
            return;
        }
        if (thrown instanceof AssertionError a) throw a;
        throw new AssertionError("undocumented failure " + thrown, thrown);
    }
}
