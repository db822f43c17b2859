package dev.jjf.heap;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Independent pieces of a job shared by this thread and one started for it: each takes the next
 * piece not taken yet, so a helper that gets little processor time (another process has the
 * second one) keeps this thread waiting for one piece at most. Returns once every piece is done,
 * and leaves no thread running.
 */
final class TwoThreads {
    private TwoThreads() {
    }

    /** Runs {@code piece} for 0 to {@code pieces - 1}; rethrows what a piece threw (this thread's first). */
    static void run(String name, int pieces, IntConsumer piece) {
        AtomicInteger next = new AtomicInteger();
        Throwable[] failure = new Throwable[1];
        Runnable work = () -> {
            for (int i = next.getAndIncrement(); i < pieces; i = next.getAndIncrement()) piece.accept(i);
        };
        Thread helper = new Thread(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                failure[0] = t;
                next.set(pieces);
            }
        }, name);
        helper.setDaemon(true);
        helper.start();
        try {
            work.run();
        } catch (Throwable t) {
            next.set(pieces);
            throw t;
        } finally {
            boolean interrupted = false;
            while (helper.isAlive()) {
                try {
                    helper.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof RuntimeException e) throw e;
        if (failure[0] instanceof Error e) throw e;
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
    }
}
