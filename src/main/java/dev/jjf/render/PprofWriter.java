package dev.jjf.render;

import dev.jjf.model.FrameKind;
import dev.jjf.model.Profile;
import dev.jjf.model.SampleType;
import dev.jjf.model.Stacks;
import dev.jjf.model.StringTable;
import dev.jjf.stacks.StackFolder;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a {@link Profile} as pprof's gzip-compressed profile.proto, which pprof, speedscope,
 * Pyroscope and Parca read.
 *
 * <ul>
 *   <li>Values are unsampled and rounded so that every sample type's total is the rounded total of
 *       the unrounded values (each sample gets the change of the rounded running sum).
 *   <li>An {@code alloc_*} sample type whose values are all 0 (jemalloc without prof_accum) is left out.
 *   <li>Each sample has a {@code kind} label per kind of frame on its stack ({@code java}, {@code inlined},
 *       {@code native}, {@code jvm}, {@code generated}, {@code unknown}): {@code -tagfocus=kind=java}
 *       keeps the stacks that run Java code.
 *   <li>jemalloc's own frames on top of a stack are trimmed as in the flamegraph, down to the
 *       outermost one: the allocator function the program called is the sample's leaf.
 *   <li>Baseline samples of a diff are negated and labelled {@code pprof::base=true}, what
 *       {@code pprof -diff_base} itself makes of two profiles.
 * </ul>
 */
public final class PprofWriter {
    // profile.proto's field numbers.
    private static final int PROFILE_SAMPLE_TYPE = 1;
    private static final int PROFILE_SAMPLE = 2;
    private static final int PROFILE_MAPPING = 3;
    private static final int PROFILE_LOCATION = 4;
    private static final int PROFILE_FUNCTION = 5;
    private static final int PROFILE_STRING_TABLE = 6;
    private static final int PROFILE_PERIOD_TYPE = 11;
    private static final int PROFILE_PERIOD = 12;
    private static final int PROFILE_COMMENT = 13;
    private static final int PROFILE_DEFAULT_SAMPLE_TYPE = 14;
    private static final int VALUE_TYPE_TYPE = 1;
    private static final int VALUE_TYPE_UNIT = 2;
    private static final int SAMPLE_LOCATION_ID = 1;
    private static final int SAMPLE_VALUE = 2;
    private static final int SAMPLE_LABEL = 3;
    private static final int LABEL_KEY = 1;
    private static final int LABEL_STR = 2;
    private static final int MAPPING_ID = 1;
    private static final int MAPPING_START = 2;
    private static final int MAPPING_LIMIT = 3;
    private static final int MAPPING_OFFSET = 4;
    private static final int MAPPING_FILENAME = 5;
    private static final int MAPPING_BUILD_ID = 6;
    private static final int MAPPING_HAS_FUNCTIONS = 7;
    private static final int MAPPING_HAS_FILENAMES = 8;
    private static final int MAPPING_HAS_LINE_NUMBERS = 9;
    private static final int MAPPING_HAS_INLINE_FRAMES = 10;
    private static final int LOCATION_ID = 1;
    private static final int LOCATION_MAPPING_ID = 2;
    private static final int LOCATION_ADDRESS = 3;
    private static final int LOCATION_LINE = 4;
    private static final int LINE_FUNCTION_ID = 1;
    private static final int LINE_LINE = 2;
    private static final int FUNCTION_ID = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_SYSTEM_NAME = 3;
    private static final int FUNCTION_FILENAME = 4;
    private static final int FUNCTION_START_LINE = 5;

    /** The label that says which kinds of code a stack runs. */
    public static final String KIND_LABEL = "kind";
    /** pprof's own mark of a diff base's samples (internal/driver/fetch.go). */
    public static final String BASE_LABEL = "pprof::base";
    private static final String ALLOC_PREFIX = "alloc_";
    /** Top-level bytes gathered before they go to the compressor. */
    private static final int FLUSH_BYTES = 1 << 16;

    private static final FrameKind[] KINDS = FrameKind.values();

    public void write(Profile p, OutputStream raw) throws IOException {
        GZIPOutputStream out = new GZIPOutputStream(raw, FLUSH_BYTES);
        new Encoder(p, out).write();
        out.finish();
    }

    /** The state of one write. Its few strings of its own (label names) are added to the profile's table. */
    private static final class Encoder {
        private final Profile p;
        private final OutputStream out;
        private final ProtoBuffer top = new ProtoBuffer();
        private final ProtoBuffer msg = new ProtoBuffer();
        private final ProtoBuffer inner = new ProtoBuffer();
        private final int kindKey;
        private final int[] kindValue = new int[KINDS.length];
        private final int baseKey;
        private final int trueValue;
        /** Indexes of the profile's sample types that are written. */
        private final int[] types;

        Encoder(Profile p, OutputStream out) {
            this.p = p;
            this.out = out;
            kindKey = stringId(KIND_LABEL);
            for (FrameKind k : KINDS) kindValue[k.ordinal()] = stringId(k.id());
            baseKey = stringId(BASE_LABEL);
            trueValue = stringId("true");
            types = writtenTypes(p);
        }

        void write() throws IOException {
            StringTable strings = p.strings();
            // Every string is interned before the table is written, which comes after what refers to it.
            for (int t : types) {
                stringId(p.sampleTypes().get(t).type());
                stringId(p.sampleTypes().get(t).unit());
            }
            stringId("space");
            stringId("bytes");
            for (String c : p.comments()) stringId(c);
            for (int t : types) {
                SampleType st = p.sampleTypes().get(t);
                valueType(PROFILE_SAMPLE_TYPE, st.type(), st.unit());
            }
            writeSamples();
            writeMappings();
            writeLocations();
            writeFunctions();
            for (int i = 0; i < strings.size(); i++) top.string(PROFILE_STRING_TABLE, strings.get(i));
            if (p.periodBytes() > 0) {
                valueType(PROFILE_PERIOD_TYPE, "space", "bytes");
                top.int64(PROFILE_PERIOD, p.periodBytes());
            }
            for (String c : p.comments()) top.int64(PROFILE_COMMENT, stringId(c));
            for (int t : types) {
                if (t == p.defaultSampleType()) top.int64(PROFILE_DEFAULT_SAMPLE_TYPE, stringId(p.sampleTypes().get(t).type()));
            }
            flush();
        }

        private int stringId(String s) {
            return p.strings().intern(s);
        }

        private void valueType(int field, String type, String unit) throws IOException {
            msg.clear();
            msg.int64(VALUE_TYPE_TYPE, stringId(type));
            msg.int64(VALUE_TYPE_UNIT, stringId(unit));
            top.message(field, msg);
            maybeFlush();
        }

        private static int[] writtenTypes(Profile p) {
            int n = p.sampleTypes().size();
            boolean[] nonZero = new boolean[n];
            for (Stacks s : p.stacks()) {
                for (int node = 0; node < s.size(); node++) {
                    for (int t = 0; t < n; t++) nonZero[t] |= s.value(node, t) != 0;
                }
            }
            int[] out = new int[n];
            int k = 0;
            for (int t = 0; t < n; t++) {
                if (nonZero[t] || !p.sampleTypes().get(t).type().startsWith(ALLOC_PREFIX)) out[k++] = t;
            }
            return Arrays.copyOf(out, k);
        }

        private void writeSamples() throws IOException {
            int[] locMask = new int[p.locationCount()];
            for (int l = 0; l < locMask.length; l++) {
                for (int i = p.locationFirstLine(l), end = i + p.locationLineCount(l); i < end; i++) {
                    locMask[l] |= 1 << p.lineKind(i).ordinal();
                }
            }
            // Running sums per sample type, apart for the baseline: each total rounds as a whole.
            double[][] sum = new double[2][types.length];
            long[][] written = new long[2][types.length];
            long[] ids = new long[64];
            long[] values = new long[types.length];
            boolean[] allocator = StackFolder.allocatorLocations(p);
            for (Stacks s : p.stacks()) {
                int b = s.isBase() ? 1 : 0;
                int size = s.size();
                int[] pathMask = new int[size];
                // As in StackFolder: the outermost node of the run of allocator callers ending at a node.
                int[] runStart = new int[size];
                runStart[Stacks.ROOT] = Profile.NONE;
                for (int n = 1; n < size; n++) {
                    int loc = s.location(n);
                    int parent = s.parent(n);
                    pathMask[n] = pathMask[parent] | (loc == Profile.NONE ? 0 : locMask[loc]);
                    runStart[n] = loc == Profile.NONE || !allocator[loc] ? Profile.NONE
                            : parent != Stacks.ROOT && s.parent(parent) != Stacks.ROOT && runStart[parent] != Profile.NONE ? runStart[parent] : n;
                }
                for (int n = 0; n < size; n++) {
                    if (!s.isSample(n)) continue;
                    boolean any = false;
                    for (int i = 0; i < types.length; i++) {
                        sum[b][i] += s.value(n, types[i]);
                        long rounded = Math.round(sum[b][i]);
                        values[i] = rounded - written[b][i];
                        written[b][i] = rounded;
                        any |= values[i] != 0;
                        if (b == 1) values[i] = -values[i];
                    }
                    if (!any) continue;
                    int depth = 0;
                    int mask = 0;
                    if (n != Stacks.ROOT) {
                        int parent = s.parent(n);
                        int leaf = s.leafLocation(n);
                        // The leaf end's allocator frames go, but never the outermost frame of the stack.
                        int from = !allocator[leaf] || parent == Stacks.ROOT ? n
                                : s.parent(parent) != Stacks.ROOT && runStart[parent] != Profile.NONE ? runStart[parent] : n;
                        int first = from == n ? leaf : s.location(from);
                        depth = s.depth(from);
                        if (ids.length < depth) ids = new long[Math.max(depth, ids.length * 2)];
                        ids[0] = first + 1L;
                        int i = 1;
                        for (int u = s.parent(from); u != Stacks.ROOT; u = s.parent(u)) ids[i++] = s.location(u) + 1L;
                        mask = pathMask[s.parent(from)] | locMask[first];
                    }
                    msg.clear();
                    msg.packed(SAMPLE_LOCATION_ID, ids, depth);
                    msg.packed(SAMPLE_VALUE, values, values.length);
                    for (FrameKind k : KINDS) {
                        if ((mask & (1 << k.ordinal())) != 0) label(kindKey, kindValue[k.ordinal()]);
                    }
                    if (b == 1) label(baseKey, trueValue);
                    top.message(PROFILE_SAMPLE, msg);
                    maybeFlush();
                }
            }
        }

        private void label(int key, int value) {
            inner.clear();
            inner.int64(LABEL_KEY, key);
            inner.int64(LABEL_STR, value);
            msg.message(SAMPLE_LABEL, inner);
        }

        private void writeMappings() throws IOException {
            boolean files = false;
            boolean lineNumbers = false;
            for (int f = 0; f < p.functionCount(); f++) files |= p.functionFileId(f) != 0;
            for (int l = 0; l < p.locationCount(); l++) {
                for (int i = p.locationFirstLine(l), end = i + p.locationLineCount(l); i < end; i++) lineNumbers |= p.lineNumber(i) != 0;
            }
            for (int m = 0; m < p.mappingCount(); m++) {
                msg.clear();
                msg.int64(MAPPING_ID, m + 1L);
                msg.int64(MAPPING_START, p.mappingStart(m));
                msg.int64(MAPPING_LIMIT, p.mappingLimit(m));
                msg.int64(MAPPING_OFFSET, p.mappingOffset(m));
                msg.int64(MAPPING_FILENAME, p.mappingFileId(m));
                msg.int64(MAPPING_BUILD_ID, p.mappingBuildIdId(m));
                // Everything is named already: pprof must not look the addresses up again.
                msg.bool(MAPPING_HAS_FUNCTIONS, true);
                msg.bool(MAPPING_HAS_FILENAMES, files);
                msg.bool(MAPPING_HAS_LINE_NUMBERS, lineNumbers);
                msg.bool(MAPPING_HAS_INLINE_FRAMES, true);
                top.message(PROFILE_MAPPING, msg);
                maybeFlush();
            }
        }

        private void writeLocations() throws IOException {
            for (int l = 0; l < p.locationCount(); l++) {
                msg.clear();
                msg.int64(LOCATION_ID, l + 1L);
                int m = p.locationMapping(l);
                if (m != Profile.NONE) msg.int64(LOCATION_MAPPING_ID, m + 1L);
                msg.int64(LOCATION_ADDRESS, p.locationAddress(l));
                for (int i = p.locationFirstLine(l), end = i + p.locationLineCount(l); i < end; i++) {
                    inner.clear();
                    inner.int64(LINE_FUNCTION_ID, p.lineFunction(i) + 1L);
                    inner.int64(LINE_LINE, p.lineNumber(i));
                    msg.message(LOCATION_LINE, inner);
                }
                top.message(PROFILE_LOCATION, msg);
                maybeFlush();
            }
        }

        private void writeFunctions() throws IOException {
            for (int f = 0; f < p.functionCount(); f++) {
                msg.clear();
                msg.int64(FUNCTION_ID, f + 1L);
                msg.int64(FUNCTION_NAME, p.functionNameId(f));
                int system = p.functionSystemNameId(f);
                msg.int64(FUNCTION_SYSTEM_NAME, system != 0 ? system : p.functionNameId(f));
                msg.int64(FUNCTION_FILENAME, p.functionFileId(f));
                msg.int64(FUNCTION_START_LINE, p.functionStartLine(f));
                top.message(PROFILE_FUNCTION, msg);
                maybeFlush();
            }
        }

        private void maybeFlush() throws IOException {
            if (top.size() >= FLUSH_BYTES) flush();
        }

        private void flush() throws IOException {
            top.writeTo(out);
            top.clear();
        }
    }
}
