package dev.jjf.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites a little-endian ELF64 file as big-endian, swapping the structures the reader uses
 * (headers, section and program headers, symbols, notes, the debug-link CRC). No big-endian
 * toolchain is installed here, so this is how the big-endian paths meet a real file layout.
 */
final class ElfByteSwapper {
    private ElfByteSwapper() {
    }

    static Path swapToBigEndian(Path in, Path out) throws IOException {
        byte[] bytes = Files.readAllBytes(in);
        ByteBuffer le = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        if (bytes[4] != 2 || bytes[5] != 1) {
            throw new IllegalArgumentException("expected a little-endian ELF64 file");
        }
        bytes[5] = 2;
        swap16(le, be, 16, 2);
        swap32(le, be, 20, 1);
        swap64(le, be, 24, 3);
        swap32(le, be, 48, 1);
        swap16(le, be, 52, 6);

        long phoff = le.getLong(32);
        int phnum = Short.toUnsignedInt(le.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int p = (int) phoff + i * 56;
            swap32(le, be, p, 2);
            swap64(le, be, p + 8, 6);
        }

        long shoff = le.getLong(40);
        int shnum = Short.toUnsignedInt(le.getShort(60));
        int shstrndx = Short.toUnsignedInt(le.getShort(62));
        long namesOffset = le.getLong((int) shoff + shstrndx * 64 + 24);
        for (int i = 0; i < shnum; i++) {
            int p = (int) shoff + i * 64;
            int type = le.getInt(p + 4);
            long offset = le.getLong(p + 24);
            long size = le.getLong(p + 32);
            String name = cString(bytes, (int) (namesOffset + Integer.toUnsignedLong(le.getInt(p))));
            swap32(le, be, p, 2);
            swap64(le, be, p + 8, 4);
            swap32(le, be, p + 40, 2);
            swap64(le, be, p + 48, 2);
            if (type == ElfSection.SHT_NOBITS) {
                continue;
            }
            if (type == ElfSection.SHT_SYMTAB || type == ElfSection.SHT_DYNSYM) {
                for (long s = offset; s < offset + size; s += 24) {
                    swap32(le, be, (int) s, 1);
                    swap16(le, be, (int) s + 6, 1);
                    swap64(le, be, (int) s + 8, 2);
                }
            } else if (type == ElfSection.SHT_NOTE) {
                long n = offset;
                while (n + 12 <= offset + size) {
                    long namesz = Integer.toUnsignedLong(le.getInt((int) n));
                    long descsz = Integer.toUnsignedLong(le.getInt((int) n + 4));
                    swap32(le, be, (int) n, 3);
                    n += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
                }
            } else if (name.equals(".gnu_debuglink")) {
                swap32(le, be, (int) (offset + size - 4), 1);
            }
        }
        Files.write(out, bytes);
        return out;
    }

    private static String cString(byte[] bytes, int at) {
        int end = at;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void swap16(ByteBuffer le, ByteBuffer be, int at, int count) {
        for (int i = 0; i < count; i++) {
            be.putShort(at + 2 * i, le.getShort(at + 2 * i));
        }
    }

    private static void swap32(ByteBuffer le, ByteBuffer be, int at, int count) {
        for (int i = 0; i < count; i++) {
            be.putInt(at + 4 * i, le.getInt(at + 4 * i));
        }
    }

    private static void swap64(ByteBuffer le, ByteBuffer be, int at, int count) {
        for (int i = 0; i < count; i++) {
            be.putLong(at + 8 * i, le.getLong(at + 8 * i));
        }
    }
}
