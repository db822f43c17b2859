import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;

/** Encodes N samples (20 location ids, 4 values, one label each) with protobuf-java's CodedOutputStream. */
public class PbBench {
    public static void main(String[] a) throws Exception {
        long t0 = System.nanoTime();
        int n = Integer.parseInt(a[0]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes, 1 << 16);
        long[] ids = new long[20];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < 20; i++) ids[i] = (s * 31L + i * 7) % 50000 + 1;
            int idsSize = 0;
            for (long id : ids) idsSize += CodedOutputStream.computeUInt64SizeNoTag(id);
            int valSize = 0;
            for (int v = 0; v < 4; v++) valSize += CodedOutputStream.computeInt64SizeNoTag(s * 1000L + v);
            int labelSize = CodedOutputStream.computeInt64Size(1, 5) + CodedOutputStream.computeInt64Size(2, 9);
            int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(idsSize) + idsSize + 1 + CodedOutputStream.computeUInt32SizeNoTag(valSize) + valSize
                    + 1 + CodedOutputStream.computeUInt32SizeNoTag(labelSize) + labelSize;
            out.writeTag(2, 2);
            out.writeUInt32NoTag(size);
            out.writeTag(1, 2);
            out.writeUInt32NoTag(idsSize);
            for (long id : ids) out.writeUInt64NoTag(id);
            out.writeTag(2, 2);
            out.writeUInt32NoTag(valSize);
            for (int v = 0; v < 4; v++) out.writeInt64NoTag(s * 1000L + v);
            out.writeTag(3, 2);
            out.writeUInt32NoTag(labelSize);
            out.writeInt64(1, 5);
            out.writeInt64(2, 9);
        }
        out.flush();
        System.out.println(bytes.size() + " bytes in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
