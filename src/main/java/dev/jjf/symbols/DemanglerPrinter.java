package dev.jjf.symbols;

import dev.jjf.symbols.DemanglerNode.ArrayType;
import dev.jjf.symbols.DemanglerNode.FunctionType;
import java.util.IdentityHashMap;

/**
 * Renders a demangled tree as C++ text.
 *
 * <p>C declarators are inside-out: in {@code void (*(*)())(int)} the outermost pointer is printed
 * innermost. Type modifiers (pointers, references, qualifiers, member pointers, and even a
 * function whose return type is being printed) are therefore pushed on a stack while their
 * inner type is printed; the function or array at the bottom of the chain then prints the
 * pending modifiers inside its parentheses. This mirrors how GNU c++filt lays out declarators,
 * which is the output we must match character for character.
 */
final class DemanglerPrinter {
    /** Deeper trees than this come from hostile input or reference cycles, never from compilers. */
    static final int MAX_DEPTH = 400;
    /** Upper bound on characters ever appended, kept or not: stops substitution blow-ups. */
    static final int MAX_WORK = 1 << 21;

    /** One pending declarator modifier. */
    static final class Mod {
        final DemanglerNode node;
        final Mod next;
        boolean printed;

        Mod(DemanglerNode node, Mod next) {
            this.node = node;
            this.next = next;
        }
    }

    private final StringBuilder sb = new StringBuilder(96);
    /** Pending declarator modifiers, innermost first. */
    Mod mods;
    /** Which element of an argument pack a template parameter stands for; the first outside an expansion. */
    int packIndex;
    /** Set while a pack expansion prints its pattern once, unseen, to learn how long the pack is. */
    boolean probing;
    /** What that probe found: the length of the first pack met, or -1. */
    int probedPackSize = -1;
    /** Arguments of the template function being printed, which {@code T_} refers to; null outside one. */
    DemanglerNode[] templateArgs;
    /** See {@link DemanglerNode.Reference#print}; keyed by node identity. */
    private IdentityHashMap<DemanglerNode, DemanglerNode[]> pinned;
    /** Template parameters inside a lambda signature print as {@code auto:N}. */
    boolean inLambdaSig;

    private int depth;
    private int work;
    /**
     * Last character appended. Deliberately not rewound when an empty pack's ", " is taken back:
     * c++filt behaves that way, which is why it prints {@code A<B<C>>} after an empty pack.
     */
    private char lastChar;

    DemanglerNode[] pinnedArgs(DemanglerNode param) {
        return pinned == null ? null : pinned.get(param);
    }

    void pinArgs(DemanglerNode param, DemanglerNode[] args) {
        if (args == null) {
            return;
        }
        if (pinned == null) {
            pinned = new IdentityHashMap<>();
        }
        pinned.put(param, args);
    }

    String render(DemanglerNode root) {
        print(root);
        return sb.toString();
    }

    void print(DemanglerNode n) {
        if (++depth > MAX_DEPTH) {
            throw DemanglerParser.Fail.INSTANCE;
        }
        n.print(this);
        depth--;
    }

    /** Prints a node that is not part of the current declarator (parameters, template args, names). */
    void printClean(DemanglerNode n) {
        Mod saved = mods;
        mods = null;
        print(n);
        mods = saved;
    }

    void printModifier(DemanglerNode n) {
        if (++depth > MAX_DEPTH) {
            throw DemanglerParser.Fail.INSTANCE;
        }
        n.printAsModifier(this);
        depth--;
    }

    Mod push(DemanglerNode n) {
        Mod m = new Mod(n, mods);
        mods = m;
        return m;
    }

    DemanglerPrinter append(String s) {
        if (!s.isEmpty()) {
            sb.append(s);
            lastChar = s.charAt(s.length() - 1);
            count(s.length());
        }
        return this;
    }

    DemanglerPrinter append(char c) {
        sb.append(c);
        lastChar = c;
        count(1);
        return this;
    }

    private void count(int n) {
        work += n;
        if (work > MAX_WORK) {
            throw DemanglerParser.Fail.INSTANCE;
        }
    }

    char last() {
        return lastChar;
    }

    void setLast(char c) {
        lastChar = c;
    }

    int length() {
        return sb.length();
    }

    void truncate(int len) {
        sb.setLength(len);
    }

    /**
     * Prints a comma separated list. Empty packs print nothing, and c++filt then drops a comma only
     * when everything after it is empty, so {@code (A, <empty>, B)} keeps both commas.
     */
    void printList(DemanglerNode[] items) {
        int keep = -1;
        for (int i = 0; i < items.length; i++) {
            int mark = length();
            if (i > 0) {
                append(", ");
            }
            int start = length();
            printClean(items[i]);
            if (length() > start) {
                keep = -1;
            } else if (keep < 0) {
                keep = mark;
            }
        }
        if (keep >= 0) {
            truncate(keep);
        }
    }

    /**
     * Prints pending modifiers; {@code suffix} selects the member-function qualifiers that trail
     * the parameter list instead of the ones that go inside the declarator parentheses.
     */
    void printModList(Mod list, boolean suffix) {
        for (Mod m = list; m != null; m = m.next) {
            if (m.printed || (m.node.modKind() == DemanglerNode.MOD_SUFFIX) != suffix) {
                continue;
            }
            m.printed = true;
            if (m.node instanceof FunctionType) {
                functionTail((FunctionType) m.node, m.next);
                return;
            }
            if (m.node instanceof ArrayType) {
                arrayTail((ArrayType) m.node, m.next);
                return;
            }
            printModifier(m.node);
        }
    }

    /** Everything of a function type after its return type: declarator group, parameters, qualifiers. */
    void functionTail(FunctionType f, Mod list) {
        boolean needParen = false;
        boolean needSpace = false;
        for (Mod m = list; m != null; m = m.next) {
            if (m.printed) {
                break;
            }
            int k = m.node.modKind();
            if (k == DemanglerNode.MOD_PTR) {
                needParen = true;
            } else if (k == DemanglerNode.MOD_QUAL) {
                needParen = true;
                needSpace = true;
            }
            if (needParen) {
                break;
            }
        }
        if (needParen) {
            if (!needSpace && last() != '(' && last() != '*') {
                needSpace = true;
            }
            if (needSpace && last() != ' ') {
                append(' ');
            }
            append('(');
        }
        Mod saved = mods;
        mods = null;
        printModList(list, false);
        if (needParen) {
            append(')');
        }
        append('(');
        printList(f.params);
        append(')');
        f.printQualifiers(this);
        printModList(list, true);
        mods = saved;
    }

    /** The bracketed part of an array type, with any pending modifiers parenthesised before it. */
    void arrayTail(ArrayType a, Mod list) {
        boolean needSpace = true;
        Mod saved = mods;
        mods = null;
        if (list != null) {
            boolean needParen = false;
            for (Mod m = list; m != null; m = m.next) {
                if (!m.printed) {
                    if (m.node instanceof ArrayType) {
                        needSpace = false;
                    } else {
                        needParen = true;
                        needSpace = true;
                    }
                    break;
                }
            }
            if (needParen) {
                append(" (");
            }
            printModList(list, false);
            if (needParen) {
                append(')');
            }
        }
        if (needSpace) {
            append(' ');
        }
        append('[');
        if (a.dim != null) {
            print(a.dim);
        }
        append(']');
        mods = saved;
    }
}
