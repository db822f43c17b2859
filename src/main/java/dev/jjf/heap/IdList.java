package dev.jjf.heap;

/**
 * Ids in the order they are read, 4 bytes each where {@link IdCodec} can encode them; the others
 * are kept in full, in the same order, so that a sequential walk decodes every one.
 */
final class IdList {
    final IdCodec codec;
    final IntList packed = new IntList();
    final LongList escaped = new LongList();

    IdList(IdCodec codec) {
        this.codec = codec;
    }

    void add(long id) {
        int v = codec.encode(id);
        packed.add(v);
        if (v == IdCodec.ESCAPE) escaped.add(id);
    }

    /** Appends {@code other}'s ids (encoded by the same codec) and empties it. */
    void appendAll(IdList other) {
        if (other.codec != codec) throw new IllegalArgumentException("ids of another codec");
        packed.appendAll(other.packed, 0);
        for (long i = 0; i < other.escaped.size(); i++) escaped.add(other.escaped.get(i));
        other.escaped.clear();
    }

    long size() {
        return packed.size();
    }
}
