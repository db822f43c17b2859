import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

/**
 * Stress for the agent's backtrace hook (JavaFramesStressIT, scripts/stress-java-frames.sh): for
 * SECONDS seconds, threads allocate native memory (zlib through Deflater) from interpreted,
 * compiled, inlined, deoptimized and OSR frames, deep recursion, exception unwinding, reflection
 * (a native method calling back into Java), classes in class loaders that are dropped and
 * unloaded, child processes, and virtual threads where the JDK has them.
 *
 * Every method of this file that allocates is only ever called by the callers listed in
 * JavaFramesStressIT.CALLERS: the test checks each named frame against that list.
 */
public class JavaFramesStress {
    static final AtomicLong allocations = new AtomicLong();
    static volatile long deadline;
    static final List<Deflater> kept = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        deadline = System.nanoTime() + seconds * 1_000_000_000L;
        // "after-input": the SECONDS start when a line arrives on stdin (after a snapshot attached the hook).
        if (args.length > 1 && args[1].equals("after-input")) {
            deadline = Long.MAX_VALUE;
            Thread input = new Thread(() -> awaitInput(seconds), "input");
            input.setDaemon(true);
            input.start();
        }
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(JavaFramesStress::loaders, "loaders"));
        threads.add(new Thread(JavaFramesStress::deopt, "deopt"));
        threads.add(new Thread(JavaFramesStress::osr, "osr"));
        threads.add(new Thread(JavaFramesStress::exceptions, "exceptions"));
        threads.add(new Thread(JavaFramesStress::recursion, "recursion"));
        threads.add(new Thread(JavaFramesStress::processes, "processes"));
        threads.add(new Thread(JavaFramesStress::virtualThreads, "virtual"));
        for (Thread t : threads) t.start();
        if (deadline == Long.MAX_VALUE) {
            System.out.println("ready"); // the JVM is up: a snapshot may attach now
            System.out.flush();
        }
        for (Thread t : threads) t.join();
        System.out.println("allocations " + allocations.get() + " kept " + kept.size());
    }

    static void awaitInput(long seconds) {
        try {
            while (System.in.read() != '\n') {
            }
        } catch (java.io.IOException e) {
            // stdin gone: start the countdown anyway
        }
        deadline = System.nanoTime() + seconds * 1_000_000_000L;
    }

    static boolean running() {
        return System.nanoTime() < deadline;
    }

    /** The one place that allocates native memory: zlib's state, freed at once or kept. */
    public static void allocate() {
        Deflater d = new Deflater(ThreadLocalRandom.current().nextInt(1, 10));
        allocations.incrementAndGet();
        if (ThreadLocalRandom.current().nextInt(1000) == 0) {
            synchronized (kept) {
                kept.add(d);
            }
        } else {
            d.end();
        }
    }

    // ---- class loaders created and dropped; reflection calls back into Java from a native method ----

    static void loaders() {
        byte[] bytes;
        try (InputStream in = JavaFramesStress.class.getResourceAsStream("JavaFramesStress$Loaded.class")) {
            bytes = in.readAllBytes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int round = 0;
        while (running()) {
            try {
                ClassLoader loader = new OneClassLoader(bytes);
                Class<?> c = loader.loadClass("JavaFramesStress$Loaded");
                Method work = c.getMethod("work", int.class);
                for (int i = 0; i < 20; i++) work.invoke(null, i);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (++round % 50 == 0) System.gc(); // unloads the dropped loaders' classes
        }
    }

    /** Defines its own copy of Loaded; everything else comes from the application loader. */
    static final class OneClassLoader extends ClassLoader {
        private final byte[] bytes;

        OneClassLoader(byte[] bytes) {
            super(JavaFramesStress.class.getClassLoader());
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals("JavaFramesStress$Loaded")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = defineClass(name, bytes, 0, bytes.length);
                return c;
            }
        }
    }

    /** Loaded again and again by OneClassLoader; each copy is unloaded once its loader is gone. */
    public static final class Loaded {
        public static void work(int i) {
            if (i % 2 == 0) loadedHelper();
            else allocate();
        }

        static void loadedHelper() {
            allocate();
        }
    }

    // ---- deoptimization: a call site compiled for one receiver type meets others ----

    interface Shape {
        void draw();
    }

    static final class Circle implements Shape {
        public void draw() {
            circleDraw();
        }
    }

    static final class Square implements Shape {
        public void draw() {
            squareDraw();
        }
    }

    static final class Triangle implements Shape {
        public void draw() {
            triangleDraw();
        }
    }

    static void circleDraw() {
        allocate();
    }

    static void squareDraw() {
        allocate();
    }

    static void triangleDraw() {
        allocate();
    }

    static void deopt() {
        Shape[] shapes = {new Circle(), new Square(), new Triangle()};
        int kinds = 1;
        long n = 0;
        while (running()) {
            drawAll(shapes, kinds);
            if (++n % 200 == 0) kinds = kinds % 3 + 1; // a new receiver type: the compiled code deoptimizes
        }
    }

    static void drawAll(Shape[] shapes, int kinds) {
        for (int i = 0; i < 50; i++) shapes[i % kinds].draw();
    }

    // ---- on-stack replacement: one long loop in a method entered rarely ----

    static void osr() {
        while (running()) osrLoop();
    }

    static void osrLoop() {
        long sum = 0;
        for (int i = 0; i < 2_000_000 && running(); i++) {
            sum += i ^ (sum >>> 3);
            if (i % 2000 == 0) allocate();
        }
        if (sum == 42) System.out.println(sum);
    }

    // ---- exceptions thrown through frames that allocate on the way out ----

    static void exceptions() {
        while (running()) {
            try {
                throwing(ThreadLocalRandom.current().nextInt(1, 30));
            } catch (IllegalStateException expected) {
                allocate();
            }
        }
    }

    static void throwing(int depth) {
        try {
            if (depth == 0) throw new IllegalStateException("bottom");
            throwing(depth - 1);
        } finally {
            if (depth % 7 == 0) allocate();
        }
    }

    // ---- stacks deeper than jemalloc's 128 frames ----

    static void recursion() {
        while (running()) recurse(ThreadLocalRandom.current().nextInt(1, 200));
    }

    static void recurse(int depth) {
        if (depth == 0) {
            allocate();
            return;
        }
        recurse(depth - 1);
    }

    // ---- fork and exec ----

    static void processes() {
        while (running()) {
            try {
                new ProcessBuilder("true").start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---- virtual threads (JDK 21+), reached by reflection so that this file compiles for 17 ----

    static void virtualThreads() {
        Method ofVirtual;
        try {
            ofVirtual = Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException e) {
            return;
        }
        while (running()) {
            List<Thread> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                try {
                    batch.add((Thread) ofVirtual.invoke(null, (Runnable) JavaFramesStress::virtualWork));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            for (Thread t : batch) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    static void virtualWork() {
        for (int i = 0; i < 5; i++) {
            recurse(ThreadLocalRandom.current().nextInt(1, 20));
            Thread.yield(); // unmounts and remounts, possibly on another carrier
        }
    }
}
