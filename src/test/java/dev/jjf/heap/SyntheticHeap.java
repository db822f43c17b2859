package dev.jjf.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small Java heap as a test describes it, independent of any file format: classes with fields,
 * instances, arrays, GC roots, threads with frames, and (for Android) the heap each object lives in.
 * {@link AndroidHprofWriter} and {@link NativeImageHprofWriter} write it the way those runtimes do;
 * tests then check what the parser made of it against the model itself.
 *
 * <p>Objects are numbered 0..n-1 in the order they were added. A reference value is an object
 * number, or {@link #NULL}.
 */
final class SyntheticHeap {
    static final int NULL = -1;
    /** HPROF basic types. */
    static final int OBJECT = 2;
    static final int BOOLEAN = 4;
    static final int CHAR = 5;
    static final int FLOAT = 6;
    static final int DOUBLE = 7;
    static final int BYTE = 8;
    static final int SHORT = 9;
    static final int INT = 10;
    static final int LONG = 11;
    /** Android heap ids, as ART names them in HEAP DUMP INFO ('A', 'I', 'Z'). */
    static final int APP = 'A';
    static final int IMAGE = 'I';
    static final int ZYGOTE = 'Z';

    /** Bytes of one value of a basic type in the file; OBJECT is the id size, given separately. */
    static int valueBytes(int type, int idSize) {
        return switch (type) {
            case OBJECT -> idSize;
            case BOOLEAN, BYTE -> 1;
            case CHAR, SHORT -> 2;
            case FLOAT, INT -> 4;
            case DOUBLE, LONG -> 8;
            default -> throw new IllegalArgumentException("basic type " + type);
        };
    }

    record Field(String name, int type) {
    }

    /**
     * A class. Its object (the class object, "mirror") is object {@code object}; static values are
     * object numbers for OBJECT fields and raw bits otherwise.
     */
    record ClassDef(int object, String name, int superClass, List<Field> fields, List<Field> statics, long[] staticValues) {
    }

    enum Kind { CLASS, INSTANCE, OBJECT_ARRAY, PRIMITIVE_ARRAY }

    /**
     * One object. For an instance, {@code values} follow the fields of its class, then of its
     * superclass and so on (HPROF's order); for an object array they are the elements; for a
     * primitive array {@code length} elements of {@code elementType} (all zero in the file).
     */
    record Obj(int number, Kind kind, int classDef, long[] values, int elementType, int length, int heap, boolean noData) {
    }

    /** A thread: its Thread object and its frames, innermost first. */
    record ThreadDef(int serial, int object, String name, List<Frame> frames) {
    }

    record Frame(String method, String signature, String file, int classDef, int line) {
    }

    /** GC root kinds a test uses; the tag is the sub-record's. */
    enum Root {
        UNKNOWN(0xFF), JNI_GLOBAL(0x01), JNI_LOCAL(0x02), JAVA_FRAME(0x03), NATIVE_STACK(0x04), STICKY_CLASS(0x05),
        THREAD_BLOCK(0x06), MONITOR_USED(0x07), THREAD_OBJECT(0x08),
        /** ART's own (1.0.3). */
        INTERNED_STRING(0x89), FINALIZING(0x8A), DEBUGGER(0x8B), REFERENCE_CLEANUP(0x8C), VM_INTERNAL(0x8D), JNI_MONITOR(0x8E),
        UNREACHABLE(0x90);

        final int tag;

        Root(int tag) {
            this.tag = tag;
        }
    }

    /** A GC root: its kind, the object, and for thread-bound kinds the thread serial and frame depth. */
    record RootRef(Root kind, int object, int threadSerial, int frame) {
    }

    final List<ClassDef> classes = new ArrayList<>();
    final List<Obj> objects = new ArrayList<>();
    final List<RootRef> roots = new ArrayList<>();
    final List<ThreadDef> threads = new ArrayList<>();

    /** Adds a class (and its class object) in heap {@code heap}; returns its index in {@link #classes}. */
    int defineClass(String name, int superClass, List<Field> fields, List<Field> statics, int heap) {
        int object = objects.size();
        int index = classes.size();
        long[] staticValues = new long[statics.size()];
        for (int i = 0; i < statics.size(); i++) staticValues[i] = statics.get(i).type() == OBJECT ? NULL : 0;
        classes.add(new ClassDef(object, name, superClass, List.copyOf(fields), List.copyOf(statics), staticValues));
        objects.add(new Obj(object, Kind.CLASS, index, new long[0], 0, 0, heap, false));
        return index;
    }

    /** All instance fields of a class in HPROF's order: its own, then its superclass's, and so on. */
    List<Field> allFields(int classDef) {
        List<Field> out = new ArrayList<>();
        for (int c = classDef; c != NULL; c = classes.get(c).superClass()) out.addAll(classes.get(c).fields());
        return out;
    }

    int instance(int classDef, int heap, long... values) {
        int n = allFields(classDef).size();
        if (values.length != n) throw new IllegalArgumentException(classes.get(classDef).name() + " has " + n + " fields, got " + values.length);
        return add(Kind.INSTANCE, classDef, values.clone(), 0, 0, heap, false);
    }

    int objectArray(int arrayClass, int heap, long... elements) {
        return add(Kind.OBJECT_ARRAY, arrayClass, elements.clone(), 0, elements.length, heap, false);
    }

    int primitiveArray(int elementType, int length, int heap) {
        return add(Kind.PRIMITIVE_ARRAY, NULL, new long[0], elementType, length, heap, false);
    }

    /** ART's 0xC3: a primitive array written without its elements. */
    int primitiveArrayNoData(int elementType, int length, int heap) {
        return add(Kind.PRIMITIVE_ARRAY, NULL, new long[0], elementType, length, heap, true);
    }

    private int add(Kind kind, int classDef, long[] values, int elementType, int length, int heap, boolean noData) {
        int n = objects.size();
        objects.add(new Obj(n, kind, classDef, values, elementType, length, heap, noData));
        return n;
    }

    void root(Root kind, int object) {
        roots.add(new RootRef(kind, object, 0, 0));
    }

    void threadRoot(Root kind, int object, int threadSerial, int frame) {
        roots.add(new RootRef(kind, object, threadSerial, frame));
    }

    void setStatic(int classDef, int field, long value) {
        classes.get(classDef).staticValues()[field] = value;
    }

    /** The objects {@code object} references, as the model has them (class objects: their static fields). */
    List<Integer> references(int object) {
        Obj o = objects.get(object);
        List<Integer> out = new ArrayList<>();
        switch (o.kind()) {
            case CLASS -> {
                ClassDef c = classes.get(o.classDef());
                for (int i = 0; i < c.statics().size(); i++) {
                    if (c.statics().get(i).type() == OBJECT && c.staticValues()[i] != NULL) out.add((int) c.staticValues()[i]);
                }
            }
            case INSTANCE -> {
                List<Field> fields = allFields(o.classDef());
                for (int i = 0; i < fields.size(); i++) {
                    if (fields.get(i).type() == OBJECT && o.values()[i] != NULL) out.add((int) o.values()[i]);
                }
            }
            case OBJECT_ARRAY -> {
                for (long v : o.values()) if (v != NULL) out.add((int) v);
            }
            case PRIMITIVE_ARRAY -> { }
        }
        return out;
    }

    // --- known structures ----------------------------------------------------------------------

    /** Indexes of the classes every heap here has; filled by {@link #withBasics}. */
    int objectClass;
    int objectArrayClass;
    int threadClass;

    /** java.lang.Object, Object[] and java.lang.Thread (with a name field holding a char[]... kept simple: no name). */
    SyntheticHeap withBasics(int heap) {
        objectClass = defineClass("java.lang.Object", NULL, List.of(), List.of(), heap);
        objectArrayClass = defineClass("java.lang.Object[]", objectClass, List.of(), List.of(), heap);
        threadClass = defineClass("java.lang.Thread", objectClass, List.of(new Field("priority", INT)), List.of(), heap);
        return this;
    }

    /**
     * A class {@code name} whose static field ENTRIES holds an Object[] of {@code count} byte arrays
     * of {@code bytes} each: what that static retains is known exactly. Returns the Object[]'s number.
     */
    int staticListOfArrays(String name, int count, int bytes, int heap) {
        int holder = defineClass(name, objectClass, List.of(), List.of(new Field("ENTRIES", OBJECT)), heap);
        long[] elements = new long[count];
        for (int i = 0; i < count; i++) elements[i] = primitiveArray(BYTE, bytes, heap);
        int list = objectArray(objectArrayClass, heap, elements);
        setStatic(holder, 0, list);
        return list;
    }

    /**
     * A thread named {@code threadName} whose frame 0 is {@code method} of {@code className} at
     * {@code line}, holding (as its only root) an instance of {@code className} that holds a long[]
     * of {@code longs}. Returns the instance's number.
     */
    int localOnly(String threadName, String className, String method, int line, int longs, int heap) {
        int holderClass = defineClass(className, objectClass, List.of(new Field("payload", OBJECT)), List.of(), heap);
        int payload = primitiveArray(LONG, longs, heap);
        int holder = instance(holderClass, heap, payload);
        int serial = threads.size() + 1;
        int thread = instance(threadClass, heap, 5);
        threads.add(new ThreadDef(serial, thread, threadName,
                List.of(new Frame(method, "()V", className.substring(className.lastIndexOf('.') + 1) + ".java", holderClass, line))));
        threadRoot(Root.THREAD_OBJECT, thread, serial, 0);
        threadRoot(Root.JAVA_FRAME, holder, serial, 0);
        return holder;
    }

    /**
     * {@code trees} complete binary trees of {@code perTree} nodes (class {@code Node}: left, right,
     * cross, value), each node with a seeded random cross link to a node of the next tree; the tree
     * roots are in a static Object[] of class {@code Forest}. Returns the node numbers.
     */
    int[] forest(int trees, int perTree, long seed, int heap) {
        int node = defineClass("bench.Node", objectClass,
                List.of(new Field("left", OBJECT), new Field("right", OBJECT), new Field("cross", OBJECT), new Field("value", INT)), List.of(), heap);
        Random random = new Random(seed);
        int[][] numbers = new int[trees][perTree];
        int[] crossTo = new int[trees * perTree];
        for (int t = 0; t < trees; t++) {
            for (int i = 0; i < perTree; i++) crossTo[t * perTree + i] = random.nextInt(3) == 0 ? random.nextInt(perTree) : -1;
        }
        // Numbers are assigned first, then instances with their references: objects are written in order.
        int first = objects.size();
        for (int t = 0; t < trees; t++) for (int i = 0; i < perTree; i++) numbers[t][i] = first + t * perTree + i;
        for (int t = 0; t < trees; t++) {
            for (int i = 0; i < perTree; i++) {
                long left = 2 * i + 1 < perTree ? numbers[t][2 * i + 1] : NULL;
                long right = 2 * i + 2 < perTree ? numbers[t][2 * i + 2] : NULL;
                int c = crossTo[t * perTree + i];
                long cross = c < 0 ? NULL : numbers[(t + 1) % trees][c];
                int made = instance(node, heap, left, right, cross, i);
                if (made != numbers[t][i]) throw new IllegalStateException("forest numbering");
            }
        }
        long[] rootsOfTrees = new long[trees];
        for (int t = 0; t < trees; t++) rootsOfTrees[t] = numbers[t][0];
        int forest = defineClass("bench.Forest", objectClass, List.of(), List.of(new Field("TREES", OBJECT)), heap);
        setStatic(forest, 0, objectArray(objectArrayClass, heap, rootsOfTrees));
        int[] all = new int[trees * perTree];
        for (int t = 0; t < trees; t++) System.arraycopy(numbers[t], 0, all, t * perTree, perTree);
        return all;
    }
}
