package dev.jjf.heap;

/** Two halves of a job, one on a thread started for it: returns once both are done, and no thread is left running. */
final class TwoThreads {
    private TwoThreads() {
    }

    /**
     * Runs {@code other} on a new thread named {@code name} and {@code mine} on this one; waits for
     * both, then rethrows what either threw (this thread's first).
     */
    static void run(String name, Runnable mine, Runnable other) {
        Throwable[] failure = new Throwable[1];
        Thread helper = new Thread(() -> {
            try {
                other.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, name);
        helper.setDaemon(true);
        helper.start();
        try {
            mine.run();
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
