package dev.jjf.attach;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Version 1 of HotSpot's attach protocol, which every HotSpot since JDK 6 accepts: the request is
 * NUL-terminated strings (version, operation, exactly three arguments), the answer a decimal
 * result code on its own line followed by free text until the JVM closes the connection.
 */
final class AttachProtocol {
    static final String VERSION = "1";
    static final int ARG_COUNT = 3;
    /** HotSpot drops requests whose operation name or an argument exceeds these (bytes, without the NUL). */
    static final int MAX_NAME_BYTES = 16;
    static final int MAX_ARG_BYTES = 1024;
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private AttachProtocol() {
    }

    /** The request bytes; absent arguments are sent as empty strings, as HotSpot expects all three. */
    static byte[] encode(String operation, List<String> args) {
        if (args.size() > ARG_COUNT) {
            throw new IllegalArgumentException("the attach protocol takes at most " + ARG_COUNT + " arguments, got " + args.size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, VERSION, Integer.MAX_VALUE, "version");
        field(out, operation, MAX_NAME_BYTES, "operation name");
        for (int i = 0; i < ARG_COUNT; i++) {
            field(out, i < args.size() && args.get(i) != null ? args.get(i) : "", MAX_ARG_BYTES, "argument");
        }
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String value, int maxBytes, String what) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (value.indexOf('\0') >= 0) throw new IllegalArgumentException("the " + what + " contains a NUL character");
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException("the " + what + " is " + bytes.length + " bytes; HotSpot accepts at most " + maxBytes);
        }
        out.writeBytes(bytes);
        out.write(0);
    }

    /** Parses the JVM's whole answer. */
    static AttachResponse decode(byte[] answer) throws IOException {
        String text = new String(answer, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String statusLine = (newline < 0 ? text : text.substring(0, newline)).strip();
        if (statusLine.isEmpty()) {
            throw new IOException("the JVM closed the attach connection without answering");
        }
        try {
            return new AttachResponse(Integer.parseInt(statusLine), newline < 0 ? "" : text.substring(newline + 1));
        } catch (NumberFormatException e) {
            throw new IOException("the JVM answered without a result code: '" + abbreviate(statusLine) + "'");
        }
    }

    /** Sends one operation over a connected socket and reads the answer until the JVM closes it. */
    static AttachResponse exchange(SocketChannel channel, String operation, List<String> args) throws IOException {
        ByteBuffer request = ByteBuffer.wrap(encode(operation, args));
        while (request.hasRemaining()) channel.write(request);
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(READ_BUFFER_BYTES);
        while (channel.read(buf) >= 0) {
            answer.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return decode(answer.toByteArray());
    }

    private static String abbreviate(String s) {
        final int maxChars = 80;
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "…";
    }
}
