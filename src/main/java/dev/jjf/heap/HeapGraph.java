package dev.jjf.heap;

import java.nio.file.Path;
import java.util.List;

/**
 * A heap dump as a graph in primitive arrays. Objects are numbered densely 0..n-1 in the order
 * the dump holds them; references are adjacency arrays (object o's references are
 * {@code edges[edgeStart[o]] .. edges[edgeStart[o + 1] - 1]}); each object has a class and an
 * estimated shallow size. Class objects (mirrors) are objects too, holding static fields.
 */
public final class HeapGraph {
    /** Flag in {@link #classOf} marking a class object (java.lang.Class mirror) of that class. */
    static final int MIRROR = 1 << 30;

    final Path source;
    final String format;
    final int objectCount;
    /** Per object, in the reader's chunks (no copy into one array: they are read per object, not in tight loops). */
    final IntList classOf;
    final String[] classNames;
    final IntList shallowBytes;
    /** Null while {@link #releaseEdges released} to the spill file ({@link #edgeStarts} reads them back). */
    private int[] edgeStart;
    private int[] edges;
    private final long referenceCount;
    final int[] rootObjects;
    final int[] rootLabels;
    final List<RootLabel> labels;
    /** Android: heap index per object (into heapNames); null for one-heap dumps. */
    final byte[] objectHeap;
    final List<String> heapNames;
    /** Per heap: counted in sizes (the app heap unless --heaps all). */
    final boolean[] countedHeaps;
    final int[] nativeOwners;
    final long[] nativeBytes;
    final int[] nativeKinds;
    final ReadStats stats;
    /**
     * Where arrays go while no phase needs them (classes and sizes until the fold, references once
     * the dominators have their predecessor lists), or null to keep everything in memory. The
     * graph owns it; it is closed when the graph is collected.
     */
    private final SpillFile spill;
    /** The references and their starts in the spill file (built there, read back when needed), or null. */
    private final IntList spilledEdgeStart;
    private final IntList spilledEdges;
    private boolean objectsSpilled;
    /** Spill what can wait even where the heap has room for it (tests of the spilled path). */
    private boolean spillAlways;

    /** Why some objects are roots, named for a reader: "thread main at Foo.bar(Foo.java:42)". */
    public record RootLabel(RootKind kind, String name) {
    }

    /** What reading took and left out. */
    public record ReadStats(long dumpBytes, long droppedReferences, long duplicateIds, boolean truncated, long truncatedAt,
                            long missingBytes, long classes) {
    }

    /**
     * The references as built: in the arrays, or (both null) in lists spilled to the graph's file.
     * {@code count}: how many there are.
     */
    record Edges(int[] edgeStart, int[] edges, long count, IntList spilledEdgeStart, IntList spilledEdges) {
    }

    HeapGraph(Path source, String format, int objectCount, IntList classOf, String[] classNames, IntList shallowBytes,
              Edges references, int[] rootObjects, int[] rootLabels, List<RootLabel> labels, byte[] objectHeap,
              List<String> heapNames, boolean[] countedHeaps, int[] nativeOwners, long[] nativeBytes, int[] nativeKinds,
              ReadStats stats, SpillFile spill) {
        this.source = source;
        this.format = format;
        this.objectCount = objectCount;
        this.classOf = classOf;
        this.classNames = classNames;
        this.shallowBytes = shallowBytes;
        this.edgeStart = references.edgeStart();
        this.edges = references.edges();
        this.referenceCount = references.count();
        this.spilledEdgeStart = references.spilledEdgeStart();
        this.spilledEdges = references.spilledEdges();
        this.rootObjects = rootObjects;
        this.rootLabels = rootLabels;
        this.labels = labels;
        this.objectHeap = objectHeap;
        this.heapNames = heapNames;
        this.countedHeaps = countedHeaps;
        this.nativeOwners = nativeOwners;
        this.nativeBytes = nativeBytes;
        this.nativeKinds = nativeKinds;
        this.stats = stats;
        this.spill = spill;
        this.objectsSpilled = classOf.isSpilled();
    }

    /** The file read. */
    public Path source() {
        return source;
    }

    /** "HotSpot JAVA PROFILE 1.0.2, 8-byte ids" and the like. */
    public String format() {
        return format;
    }

    public int objectCount() {
        return objectCount;
    }

    public long referenceCount() {
        return referenceCount;
    }

    /** With a spill file, the classes and shallow sizes go there until {@link #loadObjects}. */
    void spillObjects() {
        if (spill == null || objectsSpilled) return;
        classOf.spill(spill);
        shallowBytes.spill(spill);
        objectsSpilled = true;
    }

    /** True when arrays are spilled between phases. */
    boolean spills() {
        return spill != null;
    }

    /** See {@link #spillsAlways}. */
    void spillAlways() {
        spillAlways = spill != null;
    }

    /** True when arrays that may stay where the heap has room for them go to the file all the same. */
    boolean spillsAlways() {
        return spillAlways;
    }

    /** The file arrays are spilled to, or null. */
    SpillFile spillFile() {
        return spill;
    }

    /** Brings the classes and shallow sizes back into memory (a no-op when they are there). */
    void loadObjects() {
        if (!objectsSpilled) return;
        classOf.unspill();
        shallowBytes.unspill();
        objectsSpilled = false;
    }

    /** The objects' reference starts ({@link #edges}' layout), read back if they were released. */
    int[] edgeStarts() {
        loadEdges();
        return edgeStart;
    }

    /** All references, object by object (see {@link #edgeStarts}). */
    int[] edgeTargets() {
        loadEdges();
        return edges;
    }

    /** The reference starts front to back, from memory or the spill file. */
    IntSource edgeStartSource() {
        return edgeStart != null ? new IntSource(edgeStart) : new IntSource(spilledEdgeStart);
    }

    /** The references front to back, from memory or the spill file. */
    IntSource edgeTargetSource() {
        return edges != null ? new IntSource(edges) : new IntSource(spilledEdges);
    }

    /**
     * The references are not needed for a while: with a spill file (which has them) the arrays are
     * dropped; without one they stay.
     */
    void releaseEdges() {
        if (spill == null) return;
        edgeStart = null;
        edges = null;
    }

    private void loadEdges() {
        if (edges != null) return;
        edgeStart = spilledEdgeStart.toArray();
        edges = spilledEdges.toArray();
    }

    /** The object's class name; a class object reads "Foo.class". */
    public String className(int object) {
        loadObjects();
        int c = classOf.get(object);
        return (c & MIRROR) != 0 ? classNames[c & ~MIRROR] + ".class" : classNames[c];
    }

    /** True for class objects (whose references are static fields). */
    public boolean isClassObject(int object) {
        loadObjects();
        return (classOf.get(object) & MIRROR) != 0;
    }

    /** Estimated bytes the object itself takes (see docs/heap-dumps.md for the estimate). */
    public int shallowBytes(int object) {
        loadObjects();
        return shallowBytes.get(object);
    }

    /** Shallow bytes as counted: zero for objects of heaps not shown (Android's image and zygote heaps by default). */
    public int countedBytes(int object) {
        loadObjects();
        return isCounted(object) ? shallowBytes.get(object) : 0;
    }

    /** False for objects in heaps not shown. */
    public boolean isCounted(int object) {
        return objectHeap == null || countedHeaps[objectHeap[object]];
    }

    /** The objects this one references (a copy: for tests and small tools). */
    public int[] references(int object) {
        loadEdges();
        return java.util.Arrays.copyOfRange(edges, edgeStart[object], edgeStart[object + 1]);
    }

    public int rootCount() {
        return rootObjects.length;
    }

    public int rootObject(int root) {
        return rootObjects[root];
    }

    public RootLabel rootLabel(int root) {
        return labels.get(rootLabels[root]);
    }

    /** Objects that own native memory, with the bytes and the kind. */
    public int nativeOwnerCount() {
        return nativeOwners.length;
    }

    public int nativeOwner(int i) {
        return nativeOwners[i];
    }

    public long nativeBytes(int i) {
        return nativeBytes[i];
    }

    public NativeKind nativeKind(int i) {
        return NativeKind.values()[nativeKinds[i]];
    }

    public ReadStats stats() {
        return stats;
    }

    /** Android heap names ("app", "image", "zygote"), empty for dumps of one heap. */
    public List<String> heapNames() {
        return heapNames;
    }
}
