package dev.jjf.render;

/** The same samples with jjf's ProtoBuffer. */
public class OwnBench {
    public static void main(String[] a) throws Exception {
        long t0 = System.nanoTime();
        int n = Integer.parseInt(a[0]);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ProtoBuffer top = new ProtoBuffer(), msg = new ProtoBuffer(), inner = new ProtoBuffer();
        long[] ids = new long[20];
        long[] vals = new long[4];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < 20; i++) ids[i] = (s * 31L + i * 7) % 50000 + 1;
            for (int v = 0; v < 4; v++) vals[v] = s * 1000L + v;
            msg.clear();
            msg.packed(1, ids, 20);
            msg.packed(2, vals, 4);
            inner.clear();
            inner.int64(1, 5);
            inner.int64(2, 9);
            msg.message(3, inner);
            top.message(2, msg);
            if (top.size() > 1 << 16) { top.writeTo(bytes); top.clear(); }
        }
        top.writeTo(bytes);
        System.out.println(bytes.size() + " bytes in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
