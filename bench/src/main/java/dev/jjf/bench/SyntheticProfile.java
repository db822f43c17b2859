package dev.jjf.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a synthetic jemalloc heap_v2 profile of a given size, shaped like one from a busy JVM
 * service, plus the perf map that names its JIT addresses.
 *
 * <p>The memory map is copied verbatim from a real profile taken on this machine, so every native
 * address lies inside a library that exists here (libjvm.so, libc, libz, jemalloc itself) and
 * rendering does the real ELF work. JIT addresses lie in the real profile's anonymous executable
 * mappings (the code cache), named by a synthetic perf map.
 *
 * <p>Each stack is a walk down a virtual call tree: at every level a child is chosen with a
 * geometric distribution, and the frame's address is a hash of the choices so far. Stacks
 * therefore share prefixes (popular paths near the root, long unique tails) like real ones, and
 * the output depends only on the template, the size and the seed.
 *
 * <pre>java -cp benchmarks.jar dev.jjf.bench.SyntheticProfile TEMPLATE.heap OUT.heap OUT.map SIZE_MB [SEED]</pre>
 */
public final class SyntheticProfile {
    /** jemalloc's default lg_prof_sample: 2^19 bytes. */
    static final long PERIOD = 1L << 19;
    static final int THREADS = 256;
    static final int JIT_METHODS = 6_000;
    static final int JAVA_CHAINS = 4_000;
    static final int NATIVE_CHAINS = 1_500;

    private final SplittableRandom random;
    private final long[] jvm;
    private final long[] libc;
    private final long[] libz;
    private final long[] jemalloc;
    private final long[] otherNative;
    private final long[] jit;
    private final long interpreter;
    private long interpreterStart;
    private final String mappedLibraries;
    private final long[] rootFirst = new long[128];
    private final List<String> perfMapLines = new ArrayList<>();

    SyntheticProfile(String mappedLibraries, long seed) {
        this.mappedLibraries = mappedLibraries;
        this.random = new SplittableRandom(seed);
        List<long[]> exec = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        List<long[]> codeCache = new ArrayList<>();
        for (String line : mappedLibraries.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || f[1].length() < 4 || f[1].charAt(2) != 'x') continue;
            String[] range = f[0].split("-");
            long[] r = {Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16)};
            if (f.length >= 6 && f[5].startsWith("/")) {
                exec.add(r);
                paths.add(f[5]);
            } else if (f.length == 5 || f[5].isEmpty()) {
                codeCache.add(r);
            }
        }
        jvm = pool(exec, paths, "/libjvm.so", 8_000);
        libc = pool(exec, paths, "/libc.so", 800);
        libz = pool(exec, paths, "/libz.so", 150);
        jemalloc = pool(exec, paths, "/libjemalloc.so", 20);
        otherNative = pool(exec, paths, "/lib", 1_000);
        if (codeCache.isEmpty()) throw new IllegalArgumentException("template has no anonymous executable mapping (JIT code cache)");
        jit = jitPool(codeCache);
        interpreter = interpreterStart;
    }

    /** Random addresses inside the executable mappings of files whose path contains {@code name}. */
    private long[] pool(List<long[]> exec, List<String> paths, String name, int n) {
        List<long[]> ranges = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < exec.size(); i++) {
            if (paths.get(i).contains(name)) {
                ranges.add(exec.get(i));
                total += exec.get(i)[1] - exec.get(i)[0];
            }
        }
        if (total == 0) throw new IllegalArgumentException("template maps no executable " + name);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long at = random.nextLong(total);
            for (long[] r : ranges) {
                long len = r[1] - r[0];
                if (at < len) {
                    out[i] = r[0] + at;
                    break;
                }
                at -= len;
            }
        }
        return out;
    }

    /**
     * Lays methods end to end from the start of the code cache, writing a perf-map line for each,
     * and returns one call-site address inside each. Entry 0 is the interpreter.
     */
    private long[] jitPool(List<long[]> codeCache) {
        long[] out = new long[JIT_METHODS];
        int range = 0;
        long at = codeCache.get(0)[0] + 0x1000;
        for (int i = 0; i < JIT_METHODS; i++) {
            long size = 0x40 + random.nextLong(0x600) & ~0xfL;
            while (at + size > codeCache.get(range)[1]) {
                if (++range == codeCache.size()) throw new IllegalArgumentException("code cache too small");
                at = codeCache.get(range)[0];
            }
            if (i == 0) interpreterStart = at;
            perfMapLines.add(String.format(Locale.ROOT, "0x%016x 0x%016x %s", at, size, methodName(i)));
            out[i] = at + 8 + random.nextLong(size - 8);
            at += size + 0x20;
        }
        return out;
    }

    private String methodName(int i) {
        if (i == 0) return "Interpreter";
        if (i < 40) return "StubRoutines (" + i + ")";
        String[] types = {"int", "long", "java.lang.String", "byte[]", "java.util.List", "java.lang.Object"};
        StringBuilder b = new StringBuilder();
        b.append(types[i % types.length]).append(" com.example.service").append(i % 37).append(".Component")
                .append(i % 211).append(".handle").append(i).append('(');
        for (int a = 0; a < i % 4; a++) b.append(a > 0 ? ", " : "").append(types[(i + a) % types.length]);
        return b.append(')').toString();
    }

    /** Writes stacks until the file holds at least {@code bytes} before its memory map. */
    void write(OutputStream raw, long bytes) throws IOException {
        OutputStream out = new BufferedOutputStream(raw, 1 << 16);
        long[] threadObjs = new long[THREADS];
        long[] threadBytes = new long[THREADS];
        // The header holds totals over every stack: a dry run with the same seed computes them,
        // so no stack has to be kept in memory.
        long seed = random.nextLong();
        long[] totals = emit(new SplittableRandom(seed), bytes, null, threadObjs, threadBytes);
        StringBuilder header = new StringBuilder();
        header.append("heap_v2/").append(PERIOD).append('\n');
        header.append("  t*: ").append(totals[0]).append(": ").append(totals[1]).append(" [0: 0]\n");
        for (int t = 0; t < THREADS; t++) {
            header.append("  t").append(t).append(": ").append(threadObjs[t]).append(": ").append(threadBytes[t]).append(" [0: 0]\n");
        }
        out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
        emit(new SplittableRandom(seed), bytes, out, null, null);
        out.write("MAPPED_LIBRARIES:\n".getBytes(StandardCharsets.US_ASCII));
        out.write(mappedLibraries.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Generates the stacks with a fixed seed; writes them when {@code out} is given, else only
     * sums counts. Returns {objects, bytes} over all stacks.
     */
    private long[] emit(SplittableRandom r, long bytes, OutputStream out, long[] threadObjs, long[] threadBytes)
            throws IOException {
        long written = 0;
        long objs = 0;
        long sum = 0;
        long[] frames = new long[128];
        byte[] line = new byte[128 * 20 + 64];
        int[] tids = new int[4];
        long[] tobjs = new long[4];
        long[] tbytes = new long[4];
        while (written < bytes) {
            int n = stack(r, frames);
            int p = 0;
            line[p++] = '@';
            for (int i = 0; i < n; i++) {
                line[p++] = ' ';
                p = hex(line, p, frames[i]);
            }
            line[p++] = '\n';

            long o = 1 + (long) Math.floor(Math.pow(r.nextDouble(), 6) * 200);
            long size = 16L << r.nextInt(10);
            size += r.nextLong(size);
            long b = o * size;
            int nThreads = 1 + r.nextInt(4);
            long leftO = o;
            long leftB = b;
            for (int t = 0; t < nThreads; t++) {
                tids[t] = r.nextInt(THREADS);
                long to = t == nThreads - 1 ? leftO : leftO / 2;
                long tb = t == nThreads - 1 ? leftB : to * size;
                tobjs[t] = to;
                tbytes[t] = tb;
                leftO -= to;
                leftB -= tb;
                if (leftO == 0) {
                    nThreads = t + 1;
                    tbytes[t] += leftB;
                    break;
                }
            }
            p = counts(line, p, "  t*: ", o, b);
            for (int t = 0; t < nThreads; t++) {
                p = counts(line, p, "  t" + tids[t] + ": ", tobjs[t], tbytes[t]);
                if (threadObjs != null) {
                    threadObjs[tids[t]] += tobjs[t];
                    threadBytes[tids[t]] += tbytes[t];
                }
            }
            if (out != null) out.write(line, 0, p);
            written += p;
            objs += o;
            sum += b;
        }
        return new long[] {objs, sum};
    }

    /** Fills {@code frames} leaf first; returns how many. */
    private int stack(SplittableRandom r, long[] frames) {
        // Built root first (thread start, Java, native, jemalloc), reversed at the end. The path so
        // far is hashed into h; each level picks a chain of frames by h, so equal choice
        // sequences give equal prefixes, and chains recur under many callers as real callees do.
        int n = 0;
        int thread = r.nextInt(4);
        long h = mix(0x9E3779B97F4A7C15L + thread);
        rootFirst[n++] = libc[thread % 2];     // clone3
        rootFirst[n++] = libc[2 + thread % 2]; // start_thread
        for (int i = 0; i < 4; i++) rootFirst[n++] = jvm[thread * 4 + i]; // thread entry .. JavaCalls
        int levels = 4 + r.nextInt(12);
        for (int level = 0; level < levels && n < 108; level++) {
            h = mix(h * 31 + choice(r));
            long chain = Long.remainderUnsigned(h, JAVA_CHAINS);
            int length = 2 + (int) (chain % 7);
            for (int j = 0; j < length; j++) {
                long f = mix(chain * 131 + j);
                int kind = (int) Long.remainderUnsigned(f, 10);
                if (kind < 2) {
                    rootFirst[n++] = interpreter + (f >>> 60);
                } else if (kind < 3) {
                    rootFirst[n++] = jvm[16 + (int) Long.remainderUnsigned(f >>> 8, 1_500)];
                } else {
                    rootFirst[n++] = jit[40 + (int) Long.remainderUnsigned(f >>> 8, jit.length - 40)];
                }
            }
        }
        h = mix(h * 31 + choice(r));
        long chain = Long.remainderUnsigned(h, NATIVE_CHAINS);
        long[] lib = chain % 10 < 6 ? jvm : chain % 10 < 8 ? libz : chain % 10 < 9 ? libc : otherNative;
        int length = 2 + (int) (chain % 9);
        for (int j = 0; j < length; j++) {
            rootFirst[n++] = lib[(int) Long.remainderUnsigned(mix(chain * 137 + j), lib.length)];
        }
        int alloc = (int) (chain & 3);
        for (int i = 0; i < 5; i++) rootFirst[n++] = jemalloc[alloc * 5 + i];
        for (int i = 0; i < n; i++) frames[i] = rootFirst[n - 1 - i];
        return n;
    }

    /** Mostly 0, sometimes 1, rarely more: popular paths stay shared, rare ones branch off. */
    private static int choice(SplittableRandom r) {
        return r.nextInt(7) != 0 ? 0 : 1 + Long.numberOfTrailingZeros(r.nextLong() | (1L << 12));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int hex(byte[] b, int p, long v) {
        b[p++] = '0';
        b[p++] = 'x';
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4);
        for (int i = digits - 1; i >= 0; i--) b[p++] = (byte) Character.forDigit((int) (v >>> (i * 4)) & 0xf, 16);
        return p;
    }

    private static int counts(byte[] b, int p, String prefix, long objs, long bytes) {
        p = ascii(b, p, prefix);
        p = ascii(b, p, Long.toString(objs));
        p = ascii(b, p, ": ");
        p = ascii(b, p, Long.toString(bytes));
        return ascii(b, p, " [0: 0]\n");
    }

    private static int ascii(byte[] b, int p, String s) {
        for (int i = 0; i < s.length(); i++) b[p++] = (byte) s.charAt(i);
        return p;
    }

    /** The MAPPED_LIBRARIES section of a real profile, without its heading. */
    static String mappedLibraries(Path template) throws IOException {
        String text = Files.readString(template, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("MAPPED_LIBRARIES:\n");
        if (at < 0) throw new IllegalArgumentException(template + " has no MAPPED_LIBRARIES section");
        return text.substring(at + "MAPPED_LIBRARIES:\n".length());
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: SyntheticProfile TEMPLATE.heap OUT.heap OUT.map SIZE_MB [SEED]");
            System.exit(2);
        }
        Path template = Path.of(args[0]);
        Path heap = Path.of(args[1]);
        Path map = Path.of(args[2]);
        long bytes = (long) (Double.parseDouble(args[3]) * 1_000_000);
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 42;
        SyntheticProfile p = new SyntheticProfile(mappedLibraries(template), seed);
        try (OutputStream out = Files.newOutputStream(heap)) {
            p.write(out, bytes);
        }
        Files.write(map, p.perfMapLines, StandardCharsets.US_ASCII);
    }
}
