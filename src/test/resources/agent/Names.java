import java.util.function.IntUnaryOperator;

/**
 * Gives the perf-map agent names to get right: a method whose name needs a surrogate pair (modified
 * UTF-8 in JVMTI, plain UTF-8 in the map), a lambda (a hidden class), a constructor. With the
 * argument "wait" it prints "ready" and waits for a line on stdin, for attach and kill tests.
 */
public class Names {
    private final int base;

    Names(int base) {
        this.base = base;
    }

    static int 𝑥é(int v) {
        return v * 31 + 7;
    }

    public static void main(String[] args) throws Exception {
        long sum = 0;
        IntUnaryOperator f = v -> v ^ 0x5a;
        for (int i = 0; i < 200_000; i++) {
            sum += 𝑥é(i) + f.applyAsInt(i) + new Names(i).base + Integer.toString(i).hashCode();
        }
        System.out.println("Names: " + sum);
        if (args.length > 0 && args[0].equals("wait")) {
            System.out.println("ready");
            System.out.flush();
            System.in.read();
        }
    }
}
